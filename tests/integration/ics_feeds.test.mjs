// Every feed of the demo department, read back by three independent checkers: a line-level
// checker (CRLF, 75 octets, folds never inside a UTF-8 character), libical (through
// `radsched ics-lint --events`: zero errors, its instants) and npm ical.js (its instants).
// Both parsers must give exactly the database's published events in the window, with the
// database's UTC instants; summaries, TRANSP, SEQUENCE and names come from the tenant config.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { startRadsched } from '../support/harness.mjs';
import { publishDemoSchedule, apiTokensForAll, publishedInWindow, bin } from './ics_support.mjs';

let srv, tmp, tenantId, published;
const feeds = []; // {who, url, bytes, text}

before(async () => {
  srv = await startRadsched({ demo: true });
  tmp = mkdtempSync(join(tmpdir(), 'rs-ics-'));
  publishDemoSchedule(srv);
  tenantId = srv.sql(`SELECT id FROM tenants WHERE slug = 'demo'`);
  published = publishedInWindow(srv);
  for (const [email, token] of apiTokensForAll(srv)) {
    const res = await fetch(srv.url + '/api/v1/me/calendar', { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, email);
    const body = await res.json();
    feeds.push({ who: email, url: body.feed.url });
    if (body.master && !feeds.some((f) => f.who === 'master')) feeds.push({ who: 'master', url: body.master.url });
  }
  for (const f of feeds) {
    const res = await fetch(f.url);
    assert.equal(res.status, 200, f.who);
    assert.equal(res.headers.get('content-type'), 'text/calendar; charset=utf-8');
    f.bytes = Buffer.from(await res.arrayBuffer());
    f.text = f.bytes.toString('utf8');
  }
});
after(async () => {
  await srv?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const utf8 = new TextDecoder('utf-8', { fatal: true });
function lineCheck(bytes, who) {
  let start = 0, n = 0, logical = 0;
  while (start < bytes.length) {
    const lf = bytes.indexOf(0x0a, start);
    assert.ok(lf > start && bytes[lf - 1] === 0x0d, `${who}: line ${n + 1} does not end in CRLF`);
    const line = bytes.subarray(start, lf - 1);
    n++;
    assert.ok(line.length > 0 && line.length <= 75, `${who}: line ${n} is ${line.length} octets`);
    assert.ok(!line.includes(0x0d) && !line.includes(0x0a), `${who}: bare CR/LF on line ${n}`);
    assert.doesNotThrow(() => utf8.decode(line), `${who}: line ${n} is not UTF-8 by itself (fold inside a character)`);
    for (const b of line) assert.ok(b >= 0x20 || b === 0x09, `${who}: control character on line ${n}`);
    if (line[0] === 0x20) {
      assert.ok(n > 1, `${who}: continuation on the first line`);
    } else {
      logical++;
      assert.match(utf8.decode(line), /^[A-Z][A-Z0-9-]*[;:]/, `${who}: line ${n} has no property name`);
    }
    start = lf + 1;
  }
  assert.ok(logical > 5, `${who}: too short`);
}

const uidOf = (aid) => createHash('sha256').update(`radsched-ics-uid/v1\0${tenantId}\0${aid}`).digest('hex').slice(0, 32) + '@radsched';

// The published events a feed must show (the database's, in the window), by UID.
function expectedEvents(who) {
  return new Map(published.filter((r) => who === 'master' || r.email === who).map((r) => [uidOf(r.aid), r]));
}

test('the demo department has feeds with content from the first start, the chief included', () => {
  assert.ok(feeds.length >= 20, `${feeds.length} feeds`);
  const chief = feeds.find((f) => f.who === 'chief@lakeside.example');
  assert.ok(chief, 'the chief has a feed');
  assert.ok((chief.text.match(/BEGIN:VEVENT/g) || []).length > 0, 'the chief feed has events');
  assert.ok((feeds.find((f) => f.who === 'master').text.match(/BEGIN:VEVENT/g) || []).length > 100, 'the master feed');
  for (const f of feeds) assert.ok(f.url.length < 200, `URL of ${f.who} is ${f.url.length} characters`);
});

test('every feed passes the line-level checker', () => {
  for (const f of feeds) lineCheck(f.bytes, f.who);
});

test('every feed parses in libical with zero errors and the database instants', () => {
  for (const f of feeds) {
    const file = join(tmp, `${f.who.replace(/[^a-z0-9]/gi, '_')}.ics`);
    writeFileSync(file, f.bytes);
    let out;
    try {
      out = execFileSync(bin, ['ics-lint', '--events', file], { encoding: 'utf8' });
    } catch (e) {
      assert.fail(`${f.who}: ics-lint failed: ${e.stdout}`);
    }
    const r = JSON.parse(out);
    assert.equal(r.lint, 'ok', f.who);
    assert.equal(r.libicalErrors, 0, `${f.who}: ${r.libicalFirstError}`);
    const want = expectedEvents(f.who);
    assert.equal(r.events, want.size, `${f.who}: event count`);
    for (const ev of r.eventList) {
      const w = want.get(ev.uid);
      assert.ok(w, `${f.who}: unexpected UID ${ev.uid}`);
      if (w.allDay) {
        assert.ok(ev.allDay);
        assert.equal(new Date(ev.start * 1000).toISOString().slice(0, 10), w.day);
        assert.equal(new Date(ev.end * 1000).toISOString().slice(0, 10), w.next);
      } else {
        assert.equal(ev.start, w.start, `${f.who} ${ev.uid}: libical start`);
        assert.equal(ev.end, w.end, `${f.who} ${ev.uid}: libical end`);
      }
      assert.equal(ev.sequence, w.seq);
    }
  }
});

test('every feed parses in ical.js with the same UTC instants as the database', () => {
  for (const f of feeds) {
    ICAL.TimezoneService.reset();
    const cal = new ICAL.Component(ICAL.parse(f.text));
    assert.equal(cal.getFirstPropertyValue('version'), '2.0');
    for (const z of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(z);
    const want = expectedEvents(f.who);
    const seen = new Set();
    for (const ve of cal.getAllSubcomponents('vevent')) {
      const ev = new ICAL.Event(ve);
      const w = want.get(ev.uid);
      assert.ok(w, `${f.who}: unexpected UID ${ev.uid}`);
      assert.ok(!seen.has(ev.uid), `${f.who}: duplicate UID`);
      seen.add(ev.uid);
      if (w.allDay) {
        assert.ok(ev.startDate.isDate && ev.endDate.isDate);
        assert.equal(ev.startDate.toString(), w.day);
        assert.equal(ev.endDate.toString(), w.next);
      } else {
        assert.notEqual(ev.startDate.zone?.tzid, 'floating', `${f.who}: floating time`);
        assert.equal(ev.startDate.toUnixTime(), w.start, `${f.who} ${ev.uid}: ical.js start`);
        assert.equal(ev.endDate.toUnixTime(), w.end, `${f.who} ${ev.uid}: ical.js end`);
      }
      for (const p of ['dtstamp', 'sequence', 'last-modified', 'summary', 'description', 'transp', 'url'])
        assert.ok(ve.hasProperty(p), `${f.who} ${ev.uid}: no ${p}`);
      assert.equal(ve.getFirstPropertyValue('sequence'), w.seq);
    }
    assert.equal(seen.size, want.size, `${f.who}: the feed shows exactly the published events in the window`);
  }
});

test('summaries follow eventSummaryFormat; TRANSP follows showAsBusy; the description links inside', () => {
  const chief = feeds.find((f) => f.who === 'chief@lakeside.example');
  const cal = new ICAL.Component(ICAL.parse(feeds.find((f) => f.who === 'master').text));
  let calls = 0, timed = 0;
  for (const ve of cal.getAllSubcomponents('vevent')) {
    const summary = ve.getFirstPropertyValue('summary');
    const transp = ve.getFirstPropertyValue('transp');
    assert.match(summary, /^[A-Z][A-Z0-9_]* — .+ \(.+\)$/, summary);
    if (summary.startsWith('IR_CALL ')) {
      calls++;
      assert.equal(transp, 'TRANSPARENT', 'IR on call at home does not show as busy');
      assert.match(summary, /^IR_CALL — Interventional radiology \(/);
    } else {
      timed++;
      assert.equal(transp, 'OPAQUE');
    }
    if (summary.startsWith('OVN ')) assert.match(summary, /^OVN — Overnight \(/); // no subspecialty: the shift's name
    const url = ve.getFirstPropertyValue('url');
    assert.ok(url.startsWith(srv.url + '/assignments/'), url);
    assert.ok(ve.getFirstPropertyValue('description').endsWith(url));
  }
  assert.ok(calls > 0 && timed > 0);
  assert.match(chief.text, /\r\nX-WR-CALNAME:Dr\. Margaret Okafor — Lakeside Radiology\r\n/);
  assert.match(chief.text, /\(Okafor\)\r\n/);
  assert.match(chief.text, /\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n/);
});

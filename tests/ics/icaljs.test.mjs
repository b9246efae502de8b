// icaljs.test.mjs — every golden feed in tests/ics/golden/ read by a second, independent
// parser (npm ical.js): it must parse, its VTIMEZONEs must register, and every event must
// resolve to the instants (or all-day dates) in golden/expected.json — the real instants of
// America/Toronto, Australia/Sydney, Asia/Tokyo. The VTIMEZONEs are also compared, every
// 30 minutes over the years of the events, with Node's own tz data (ICU), and each file goes
// through a small line check of its own (CRLF, 75 octets, UTF-8 per physical line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ICAL from 'ical.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden');
const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8'));
const goldens = fs.readdirSync(dir).filter((f) => f.endsWith('.ics')).sort();
const utf8 = new TextDecoder('utf-8', { fatal: true });

function lineCheck(bytes, file) {
  let start = 0;
  let n = 0;
  while (start < bytes.length) {
    const lf = bytes.indexOf(0x0a, start);
    assert.ok(lf > start && bytes[lf - 1] === 0x0d, `${file}: line ${n + 1} does not end in CRLF`);
    const line = bytes.subarray(start, lf - 1);
    n++;
    assert.ok(line.length > 0 && line.length <= 75, `${file}: line ${n} is ${line.length} octets`);
    assert.ok(!line.includes(0x0d), `${file}: bare CR on line ${n}`);
    assert.doesNotThrow(() => utf8.decode(line), `${file}: line ${n} is not UTF-8 by itself (split character?)`);
    start = lf + 1;
  }
  assert.ok(n > 0, `${file}: empty`);
}

const formatters = new Map();
function intlOffsetSeconds(tzid, ms) {
  let fmt = formatters.get(tzid);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone: tzid, timeZoneName: 'longOffset' });
    formatters.set(tzid, fmt);
  }
  const name = fmt.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName').value; // "GMT-05:00" | "GMT"
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name);
  assert.ok(m, `unexpected offset name ${name}`);
  if (!m[1]) return 0;
  const s = Number(m[2]) * 3600 + Number(m[3]) * 60;
  return m[1] === '-' ? -s : s;
}

// Every 30 minutes over [fromMs, toMs): take the wall clock Node (ICU) shows for the instant
// and have ical.js turn it back into an instant with our VTIMEZONE. Wall clocks that occur
// twice (fall-back overlap) are skipped: which one a reader picks is not the zone's business.
function checkZoneAgainstIntl(file, tzid, zone, fromMs, toMs) {
  const day = 86400 * 1000;
  for (let ms = fromMs; ms < toMs; ms += 30 * 60 * 1000) {
    const off = intlOffsetSeconds(tzid, ms);
    const wall = ms + off * 1000;
    const repeated = [intlOffsetSeconds(tzid, ms - day), intlOffsetSeconds(tzid, ms + day)].some(
      (o) => o !== off && intlOffsetSeconds(tzid, wall - o * 1000) === o,
    );
    if (repeated) continue;
    const w = new Date(wall);
    const t = new ICAL.Time(
      {
        year: w.getUTCFullYear(),
        month: w.getUTCMonth() + 1,
        day: w.getUTCDate(),
        hour: w.getUTCHours(),
        minute: w.getUTCMinutes(),
        second: 0,
        isDate: false,
      },
      zone,
    );
    assert.equal(
      t.toUnixTime() * 1000,
      ms,
      `${file} ${tzid}: wall clock ${w.toISOString().slice(0, 16)} read as ${new Date(t.toUnixTime() * 1000).toISOString()}, ` +
        `Node's tz data says ${new Date(ms).toISOString()}`,
    );
  }
}

test('expected.json lists every golden feed', () => {
  assert.deepEqual(Object.keys(expected).sort(), goldens);
});

for (const file of goldens) {
  test(`ical.js reads ${file} with the expected instants`, () => {
    const bytes = fs.readFileSync(path.join(dir, file));
    lineCheck(bytes, file);
    const text = bytes.toString('utf8');

    ICAL.TimezoneService.reset(); // only this file's zones, never a leftover
    const cal = new ICAL.Component(ICAL.parse(text));
    assert.equal(cal.name, 'vcalendar');
    assert.equal(cal.getFirstPropertyValue('version'), '2.0');
    const zones = cal.getAllSubcomponents('vtimezone');
    const tzids = zones.map((z) => z.getFirstPropertyValue('tzid'));
    assert.equal(new Set(tzids).size, tzids.length, 'one VTIMEZONE per TZID');
    for (const z of zones) ICAL.TimezoneService.register(z);

    const want = new Map(expected[file].map((e) => [e.uid, e]));
    const seen = new Set();
    const usedZones = new Set();
    for (const ve of cal.getAllSubcomponents('vevent')) {
      const ev = new ICAL.Event(ve);
      const exp = want.get(ev.uid);
      assert.ok(exp, `${file}: unexpected event ${ev.uid}`);
      assert.ok(!seen.has(ev.uid), `${file}: duplicate UID ${ev.uid}`);
      seen.add(ev.uid);
      for (const p of ['dtstamp', 'sequence', 'last-modified', 'summary', 'transp']) {
        assert.ok(ve.hasProperty(p), `${file} ${ev.uid}: no ${p.toUpperCase()}`);
      }
      if (exp.allDay) {
        assert.ok(ev.startDate.isDate && ev.endDate.isDate, `${file} ${ev.uid}: not VALUE=DATE`);
        assert.equal(ev.startDate.toString(), exp.start);
        assert.equal(ev.endDate.toString(), exp.end);
        continue;
      }
      for (const t of [ev.startDate, ev.endDate]) {
        const tzid = t.zone && t.zone.tzid;
        assert.ok(tzid === 'UTC' || tzids.includes(tzid), `${file} ${ev.uid}: zone ${tzid} not from this file`);
        if (tzid !== 'UTC') usedZones.add(tzid);
      }
      const iso = (t) => t.toJSDate().toISOString().replace('.000Z', 'Z');
      assert.equal(iso(ev.startDate), exp.start, `${file} ${ev.uid}: start`);
      assert.equal(iso(ev.endDate), exp.end, `${file} ${ev.uid}: end`);
    }
    assert.deepEqual([...seen].sort(), [...want.keys()].sort(), `${file}: the feed's events`);
    assert.deepEqual([...usedZones].sort(), [...tzids].sort(), `${file}: a VTIMEZONE for each TZID used, no other`);

    // the VTIMEZONE agrees with Node's tz data over the years of the file's events
    const years = expected[file].map((e) => Number(e.start.slice(0, 4)));
    if (!years.length) return;
    const from = Date.UTC(Math.min(...years), 0, 1);
    const to = Date.UTC(Math.max(...years) + 1, 0, 1);
    for (const tzid of tzids) checkZoneAgainstIntl(file, tzid, ICAL.TimezoneService.get(tzid), from, to);
  });
}

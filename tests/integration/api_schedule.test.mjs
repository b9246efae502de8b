// Periods, assignments and publications through the real binary: instants resolved in the
// department's zone (DST nights), hard-rule refusals naming the rule (409) or an audited
// override, 400/404/409/422 with pointers, nothing written on bad input, publication with
// the published view feeds read, roles (a RAD reads, a CHIEF writes). The demo department
// has published periods around today (the seed); these tests use dates before them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRadsched, apiClient } from '../support/harness.mjs';

let srv, admin, chief, rad;
const ids = {};

const client = (email) => apiClient(srv, email);
const count = (q) => Number(srv.sql(q));

before(async () => {
  srv = await startRadsched({ demo: true });
  admin = client('admin@lakeside.example');
  chief = client('chief@lakeside.example');
  rad = client('daniel.hughes@lakeside.example');
  for (const p of (await rad('GET', '/api/v1/people?limit=200')).body.items) ids[p.email.split('@')[0]] = p.id;
});
after(async () => { await srv?.stop(); });

let march, fall;

test('periods: create, read, list, change; overlaps, bad dates and RADs refused', async () => {
  const bad = await chief('POST', '/api/v1/periods', { name: '', startDate: '2026-02-30', endDate: '2026-03-31' });
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.body.errors.map((e) => e.pointer).sort(), ['/name', '/startDate']);
  const rev = await chief('POST', '/api/v1/periods', { name: 'R', startDate: '2026-03-31', endDate: '2026-03-01' });
  assert.equal(rev.status, 422);
  assert.equal(rev.body.errors[0].pointer, '/endDate');
  const periods = count('SELECT count(*) FROM periods');
  assert.equal((await rad('POST', '/api/v1/periods', { name: 'M', startDate: '2026-03-01', endDate: '2026-03-31' })).status, 403);
  assert.equal(count('SELECT count(*) FROM periods'), periods);
  const r = await chief('POST', '/api/v1/periods', { name: 'March 2026', startDate: '2026-03-01', endDate: '2026-03-31' }, { 'X-Request-Id': 'period-1' });
  assert.equal(r.status, 201);
  assert.equal(r.body.status, 'draft');
  assert.equal(r.body.publication, null);
  assert.equal(r.headers.get('location'), `/api/v1/periods/${r.body.id}`);
  march = r.body.id;
  assert.equal(srv.sql("SELECT actor_kind FROM audit_log WHERE request_id = 'period-1' AND entity = 'periods'"), 'USER');
  const o = await chief('POST', '/api/v1/periods', { name: 'Overlap', startDate: '2026-03-31', endDate: '2026-04-30' });
  assert.equal(o.status, 409);
  assert.equal(o.body.errors[0].code, 'PERIOD_OVERLAP');
  fall = (await chief('POST', '/api/v1/periods', { name: 'Fall', startDate: '2025-10-15', endDate: '2025-11-14' })).body.id;
  const l = await rad('GET', '/api/v1/periods?to=2026-06-30');
  assert.deepEqual(l.body.items.map((p) => p.id), [march, fall]);
  const published = await rad('GET', '/api/v1/periods?status=published&to=2026-06-30');
  assert.deepEqual(published.body.items, []);
  const drafts = await rad('GET', '/api/v1/periods?status=draft&limit=1');
  assert.equal(drafts.body.items.length, 1);
  assert.ok(drafts.body.next_cursor);
  const next = await rad('GET', `/api/v1/periods?status=draft&limit=1&cursor=${drafts.body.next_cursor}`);
  assert.notEqual(next.body.items[0].id, drafts.body.items[0].id);
  const ren = await chief('PATCH', `/api/v1/periods/${march}`, { name: 'March block' });
  assert.equal(ren.status, 200);
  assert.equal(ren.body.name, 'March block');
  assert.equal((await rad('GET', `/api/v1/periods/${march}`)).body.name, 'March block');
  assert.equal((await rad('GET', '/api/v1/periods/00000000-0000-4000-8000-000000000000')).status, 404);
  assert.equal((await rad('PATCH', `/api/v1/periods/${march}`, { name: 'x' })).status, 403);
  const tmp = (await chief('POST', '/api/v1/periods', { name: 'Tmp', startDate: '2027-01-01', endDate: '2027-01-07' })).body.id;
  assert.equal((await chief('DELETE', `/api/v1/periods/${tmp}`)).status, 204);
  assert.equal((await chief('DELETE', `/api/v1/periods/${tmp}`)).status, 404);
});

test('assignments resolve to instants across DST nights; all-day call is a date', async () => {
  const add = (period, day, shiftCode, who) => chief('POST', `/api/v1/periods/${period}/assignments`, { day, shiftCode, userId: ids[who] });
  const normal = await add(march, '2026-03-03', 'OVN', 'daniel.hughes');
  assert.equal(normal.status, 201, JSON.stringify(normal.body));
  assert.equal(normal.body.durationMinutes, 540);
  assert.equal(normal.headers.get('location'), `/api/v1/assignments/${normal.body.id}`);
  const spring = await add(march, '2026-03-07', 'OVN', 'priya.raman');
  assert.equal(spring.body.durationMinutes, 480);
  assert.equal(spring.body.startAt, '2026-03-08T04:00:00Z');
  assert.equal(spring.body.endAt, '2026-03-08T12:00:00Z');
  assert.equal(spring.body.startLocal, '2026-03-07T23:00');
  const back = await add(fall, '2025-11-01', 'OVN', 'elena.petrova'); // fall back 2025-11-02
  assert.equal(back.body.durationMinutes, 600);
  assert.equal(back.body.endLocal, '2025-11-02T08:00');
  const call = await add(march, '2026-03-07', 'IR_CALL', 'victor.nguyen');
  assert.equal(call.status, 201);
  assert.equal(call.body.allDay, true);
  assert.equal(call.body.startAt, null);
  assert.equal(call.body.day, '2026-03-07');
  // a 22:00–08:00 shift type, through a config patch: 9 h and 11 h on the DST nights
  const base = (await admin('GET', '/api/v1/config')).body.number;
  const p = await admin('POST', '/api/v1/config/patch', { baseVersion: base, patch: [{ op: 'add', path: '/shiftTypes/-', value: { code: 'NIGHT10', name: 'Long night', category: 'call', kind: 'timed', start: '22:00', end: '08:00', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], points: 2, showAsBusy: true } }] });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  assert.equal((await add(march, '2026-03-07', 'NIGHT10', 'grace.kim')).body.durationMinutes, 540);
  assert.equal((await add(fall, '2025-11-01', 'NIGHT10', 'kevin.obrien')).body.durationMinutes, 660);
  assert.equal((await add(march, '2026-03-10', 'NIGHT10', 'marc.tremblay')).body.durationMinutes, 600);
});

test('hard rules: 409 naming the rule and people; override stored and audited', async () => {
  const add = (day, shiftCode, who, extra = {}, headers = {}) => chief('POST', `/api/v1/periods/${march}/assignments`, { day, shiftCode, userId: ids[who], ...extra }, headers);
  const before = count('SELECT count(*) FROM assignments');
  // Hughes works OVN on 2026-03-03: NEURO_D the day after is a forbidden succession
  const r = await add('2026-03-04', 'NEURO_D', 'daniel.hughes');
  assert.equal(r.status, 409);
  assert.equal(r.body.type, 'https://radsched.dev/problems/conflict');
  const fs = r.body.errors.find((e) => e.code === 'FORBIDDEN_SUCCESSION');
  assert.ok(fs, JSON.stringify(r.body.errors));
  assert.equal(fs.pointer, '/userId');
  assert.match(fs.detail, /Dr\. Daniel Hughes works OVN on 2026-03-03/);
  const el = await add('2026-03-09', 'MA1', 'priya.raman');
  assert.equal(el.status, 409);
  assert.equal(el.body.errors[0].code, 'NOT_ELIGIBLE');
  const wk = await add('2026-03-14', 'NEURO_D', 'priya.raman');
  assert.equal(wk.body.errors[0].code, 'SHIFT_NOT_RUN');
  // a dry-run check names the same rules and writes nothing
  const chk = await chief('POST', `/api/v1/periods/${march}/assignments/check`, { day: '2026-03-04', shiftCode: 'NEURO_D', userId: ids['daniel.hughes'] });
  assert.equal(chk.status, 200);
  assert.equal(chk.body.ok, false);
  assert.ok(chk.body.violations.some((v) => v.code === 'FORBIDDEN_SUCCESSION'));
  assert.equal(count('SELECT count(*) FROM assignments'), before);
  // override
  const ov = await add('2026-03-04', 'NEURO_D', 'daniel.hughes', { override: { reason: 'no one else reads neuro' } }, { 'X-Request-Id': 'override-1' });
  assert.equal(ov.status, 201, JSON.stringify(ov.body));
  assert.equal(ov.body.overrideReason, 'no one else reads neuro');
  assert.deepEqual(ov.body.overridden.map((x) => x.code), ['FORBIDDEN_SUCCESSION']);
  assert.equal(srv.sql("SELECT actor_kind || ' ' || (after->'rules'->0->>'code') FROM audit_log WHERE request_id = 'override-1' AND action = 'assignment.override'"), 'USER FORBIDDEN_SUCCESSION');
  assert.equal(count("SELECT count(*) FROM audit_log WHERE request_id = 'override-1' AND entity = 'assignments' AND action = 'INSERT'"), 1);
  // bad input: 400/404/422 with pointers, nothing written
  const n = count('SELECT count(*) FROM assignments');
  const shape = await add('2026-3-4', 'neuro', 'nobody');
  assert.equal(shape.status, 422);
  assert.deepEqual(shape.body.errors.map((e) => e.pointer).sort(), ['/day', '/shiftCode', '/userId']);
  const unk = await add('2026-03-05', 'NOPE', 'priya.raman');
  assert.equal(unk.status, 422);
  assert.equal(unk.body.errors[0].pointer, '/shiftCode');
  const out = await add('2026-04-05', 'NEURO_D', 'priya.raman');
  assert.equal(out.status, 422);
  assert.equal(out.body.errors[0].pointer, '/day');
  const extra = await add('2026-03-05', 'NEURO_D', 'priya.raman', { colour: 'red' });
  assert.equal(extra.status, 400);
  const short = await add('2026-03-04', 'NEURO_D', 'daniel.hughes', { override: { reason: 'x' } });
  assert.equal(short.status, 422);
  assert.equal(short.body.errors[0].pointer, '/override/reason');
  const dup = await add('2026-03-04', 'NEURO_D', 'daniel.hughes', { override: { reason: 'again please' } });
  assert.equal(dup.status, 409);
  assert.equal((await chief('POST', '/api/v1/periods/00000000-0000-4000-8000-000000000000/assignments', { day: '2026-03-05', shiftCode: 'NEURO_D', userId: ids['priya.raman'] })).status, 404);
  assert.equal((await rad('POST', `/api/v1/periods/${march}/assignments`, { day: '2026-03-05', shiftCode: 'NEURO_D', userId: ids['priya.raman'] })).status, 403);
  assert.equal(count('SELECT count(*) FROM assignments'), n);
});

test('assignments: list, filter, page, reassign, lock, delete', async () => {
  const all = await rad('GET', `/api/v1/periods/${march}/assignments?limit=200`);
  assert.equal(all.status, 200);
  const days = all.body.items.map((a) => a.day + a.shiftCode);
  assert.deepEqual(days, [...days].sort());
  const seen = [];
  let cursor = null;
  do {
    const p = await rad('GET', `/api/v1/periods/${march}/assignments?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...p.body.items.map((a) => a.id));
    cursor = p.body.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, all.body.items.map((a) => a.id));
  const mine = await rad('GET', `/api/v1/periods/${march}/assignments?userId=${ids['daniel.hughes']}&from=2026-03-04&to=2026-03-04`);
  assert.deepEqual(mine.body.items.map((a) => a.shiftCode), ['NEURO_D']);
  assert.equal((await rad('GET', `/api/v1/periods/${march}/assignments?from=03-04`)).status, 422);
  const ovn = all.body.items.find((a) => a.shiftCode === 'OVN' && a.day === '2026-03-07');
  // reassign to someone not eligible: refused; to someone eligible: done, and lock it
  const no = await chief('PATCH', `/api/v1/assignments/${ovn.id}`, { userId: ids['omar.haddad'] });
  assert.equal(no.status, 409);
  assert.ok(no.body.errors.some((e) => e.code === 'NOT_ELIGIBLE' || e.code === 'OUTSIDE_EMPLOYMENT'));
  const yes = await chief('PATCH', `/api/v1/assignments/${ovn.id}`, { userId: ids['samuel.lavoie'], locked: true });
  assert.equal(yes.status, 200, JSON.stringify(yes.body));
  assert.equal(yes.body.userId, ids['samuel.lavoie']);
  assert.equal(yes.body.locked, true);
  assert.equal((await rad('GET', `/api/v1/assignments/${ovn.id}`)).body.locked, true);
  assert.equal((await rad('PATCH', `/api/v1/assignments/${ovn.id}`, { locked: false })).status, 403);
  assert.equal((await chief('PATCH', `/api/v1/assignments/${ovn.id}`, {})).status, 422);
  const night = all.body.items.find((a) => a.shiftCode === 'NIGHT10' && a.day === '2026-03-10');
  assert.equal((await rad('DELETE', `/api/v1/assignments/${night.id}`)).status, 403);
  assert.equal((await chief('DELETE', `/api/v1/assignments/${night.id}`)).status, 204);
  assert.equal((await chief('DELETE', `/api/v1/assignments/${night.id}`)).status, 404);
});

test('publish: numbered immutable snapshot, published events and feed clocks; republish only on change', async () => {
  assert.equal((await rad('POST', `/api/v1/periods/${march}/publish`)).status, 403);
  const p = await chief('POST', `/api/v1/periods/${march}/publish`, undefined, { 'X-Request-Id': 'publish-1' });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  assert.equal(p.body.number, 1);
  assert.equal(p.body.unchanged, false);
  assert.match(p.body.contentHash, /^[0-9a-f]{64}$/);
  assert.equal(p.headers.get('location'), `/api/v1/periods/${march}/publications/1`);
  const n = count(`SELECT count(*) FROM assignments WHERE period_id = '${march}'`);
  assert.equal(p.body.assignmentCount, n);
  assert.equal(count(`SELECT count(*) FROM published_events WHERE period_id = '${march}'`), n);
  assert.equal(count("SELECT count(*) FROM feed_state WHERE feed_key = 'master'"), 1);
  assert.equal(srv.sql("SELECT actor_kind FROM audit_log WHERE request_id = 'publish-1' AND action = 'period.publish'"), 'USER');
  const period = (await rad('GET', `/api/v1/periods/${march}`)).body;
  assert.equal(period.status, 'published');
  assert.equal(period.publication.number, 1);
  assert.equal(period.unpublishedChanges, false);
  const same = await chief('POST', `/api/v1/periods/${march}/publish`, {});
  assert.equal(same.status, 200);
  assert.equal(same.body.unchanged, true);
  assert.equal(same.body.number, 1);
  // remove one assignment: publication 2 drops its event and moves its owner's feed
  const gone = (await rad('GET', `/api/v1/periods/${march}/assignments?userId=${ids['victor.nguyen']}`)).body.items[0];
  srv.sql(`SET session_replication_role = replica; UPDATE feed_state SET changed_at = now() - interval '1 hour'`);
  assert.equal((await chief('DELETE', `/api/v1/assignments/${gone.id}`)).status, 204);
  assert.equal((await rad('GET', `/api/v1/periods/${march}`)).body.unpublishedChanges, true);
  const p2 = await chief('POST', `/api/v1/periods/${march}/publish`);
  assert.equal(p2.status, 201);
  assert.equal(p2.body.number, 2);
  assert.equal(p2.body.changedEvents, 1);
  assert.equal(count(`SELECT count(*) FROM published_events WHERE assignment_id = '${gone.id}'`), 0);
  assert.equal(count(`SELECT count(*) FROM feed_state WHERE feed_key IN ('master', '${ids['victor.nguyen']}') AND changed_at > now() - interval '1 minute'`), 2);
  const list = await rad('GET', `/api/v1/periods/${march}/publications`);
  assert.deepEqual(list.body.items.map((x) => x.number), [2, 1]);
  const snap = await rad('GET', `/api/v1/periods/${march}/publications/1`);
  assert.equal(snap.status, 200);
  assert.equal(snap.body.snapshot.assignments.length, n);
  assert.ok(snap.body.snapshot.assignments.some((a) => a.id === gone.id));
  assert.equal((await rad('GET', `/api/v1/periods/${march}/publications/9`)).status, 404);
  // a published period stays
  assert.equal((await chief('DELETE', `/api/v1/periods/${march}`)).status, 409);
  assert.equal((await chief('POST', `/api/v1/periods/${march}/publish`, { now: true })).status, 400);
});

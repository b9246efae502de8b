// Vacation requests and approved time off through the real binary: a RAD asks for their
// own time off and sees only their own requests, a CHIEF decides; overlaps, blackout dates
// and bad input refused with pointers and nothing written; audit rows; approved time off
// blocks manual assignments.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRadsched, apiClient } from '../support/harness.mjs';

let srv, chief, kim, hughes;
const ids = {};

const client = (email) => apiClient(srv, email);
const count = (q) => Number(srv.sql(q));

before(async () => {
  srv = await startRadsched({ demo: true });
  chief = client('chief@lakeside.example');
  kim = client('grace.kim@lakeside.example');
  hughes = client('daniel.hughes@lakeside.example');
  for (const p of (await kim('GET', '/api/v1/people?limit=200')).body.items) ids[p.email.split('@')[0]] = p.id;
});
after(async () => { await srv?.stop(); });

let req1;

test('a RAD asks for time off; bad input, overlaps and blackout dates are refused', async () => {
  const bad = await kim('POST', '/api/v1/vacation-requests', { startDate: '2026-06-31', endDate: '2026-06-05', kind: 'holiday', rank: 0 });
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.body.errors.map((e) => e.pointer).sort(), ['/kind', '/rank', '/startDate']);
  const rev = await kim('POST', '/api/v1/vacation-requests', { startDate: '2026-06-05', endDate: '2026-06-01' });
  assert.equal(rev.status, 422);
  assert.equal(rev.body.errors[0].pointer, '/endDate');
  const bl = await kim('POST', '/api/v1/vacation-requests', { startDate: '2026-12-20', endDate: '2026-12-27' });
  assert.equal(bl.status, 422);
  assert.equal(bl.body.errors[0].code, 'BLACKOUT');
  const other = await kim('POST', '/api/v1/vacation-requests', { startDate: '2026-06-01', endDate: '2026-06-05', userId: ids['daniel.hughes'] });
  assert.equal(other.status, 403);
  assert.equal(count('SELECT count(*) FROM vacation_requests'), 0);
  const r = await kim('POST', '/api/v1/vacation-requests', { startDate: '2026-06-01', endDate: '2026-06-05', note: 'family', round: 1, rank: 2 }, { 'X-Request-Id': 'vac-1' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.userId, ids['grace.kim']);
  assert.equal(r.body.status, 'requested');
  assert.equal(r.body.kind, 'vacation');
  assert.equal(r.headers.get('location'), `/api/v1/vacation-requests/${r.body.id}`);
  req1 = r.body.id;
  assert.equal(srv.sql("SELECT actor_kind || ' ' || action FROM audit_log WHERE request_id = 'vac-1'"), 'USER INSERT');
  const ov = await kim('POST', '/api/v1/vacation-requests', { startDate: '2026-06-04', endDate: '2026-06-10' });
  assert.equal(ov.status, 409);
  assert.equal(ov.body.errors[0].code, 'OVERLAPS');
  // idempotent create
  const k = { 'Idempotency-Key': 'kim-oct' };
  const a = await kim('POST', '/api/v1/vacation-requests', { startDate: '2026-10-05', endDate: '2026-10-09' }, k);
  const b = await kim('POST', '/api/v1/vacation-requests', { startDate: '2026-10-05', endDate: '2026-10-09' }, k);
  assert.equal(a.status, 201);
  assert.equal(b.body.id, a.body.id);
  assert.equal(count('SELECT count(*) FROM vacation_requests'), 2);
});

test('visibility: a RAD sees only their own, a CHIEF sees everyone', async () => {
  const mine = await kim('GET', '/api/v1/vacation-requests');
  assert.equal(mine.body.items.length, 2);
  const theirs = await hughes('GET', '/api/v1/vacation-requests');
  assert.deepEqual(theirs.body.items, []);
  assert.equal((await hughes('GET', `/api/v1/vacation-requests/${req1}`)).status, 404);
  assert.equal((await hughes('GET', `/api/v1/vacation-requests?userId=${ids['grace.kim']}`)).status, 403);
  assert.equal((await hughes('POST', `/api/v1/vacation-requests/${req1}/cancel`)).status, 404);
  const all = await chief('GET', `/api/v1/vacation-requests?userId=${ids['grace.kim']}&status=requested&from=2026-06-01&to=2026-06-30`);
  assert.deepEqual(all.body.items.map((v) => v.id), [req1]);
  assert.equal((await chief('GET', '/api/v1/vacation-requests?status=maybe')).status, 422);
  assert.equal((await kim('GET', `/api/v1/vacation-requests/${req1}`)).body.note, 'family');
});

test('a CHIEF decides; approved time off shows to all and blocks assignments', async () => {
  assert.equal((await kim('POST', `/api/v1/vacation-requests/${req1}/decision`, { status: 'approved' })).status, 403);
  const bad = await chief('POST', `/api/v1/vacation-requests/${req1}/decision`, { status: 'maybe' });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.errors[0].pointer, '/status');
  const per = (await chief('POST', '/api/v1/periods', { name: 'June', startDate: '2026-06-01', endDate: '2026-06-30' })).body.id;
  assert.equal((await chief('POST', `/api/v1/periods/${per}/assignments`, { day: '2026-06-02', shiftCode: 'BODY_D', userId: ids['grace.kim'] })).status, 201);
  const d = await chief('POST', `/api/v1/vacation-requests/${req1}/decision`, { status: 'approved', note: 'ok' }, { 'X-Request-Id': 'vac-decide' });
  assert.equal(d.status, 200, JSON.stringify(d.body));
  assert.equal(d.body.status, 'approved');
  assert.equal(d.body.decisionNote, 'ok');
  assert.equal(d.body.decidedBy, ids['chief']);
  assert.deepEqual(d.body.conflicts.map((c) => c.day), ['2026-06-02']);
  assert.equal(srv.sql("SELECT actor_kind || ' ' || (after->>'status') FROM audit_log WHERE request_id = 'vac-decide'"), 'USER approved');
  assert.equal((await chief('POST', `/api/v1/vacation-requests/${req1}/decision`, { status: 'denied' })).status, 409);
  const off = await hughes('GET', '/api/v1/time-off?from=2026-06-01&to=2026-06-30');
  assert.equal(off.status, 200);
  assert.deepEqual(off.body.items.map((x) => [x.userId, x.startDate, x.endDate]), [[ids['grace.kim'], '2026-06-01', '2026-06-05']]);
  assert.equal(off.body.items[0].note, undefined);
  assert.equal((await hughes('GET', '/api/v1/time-off?from=2026-06-01')).status, 422);
  assert.equal((await hughes('GET', '/api/v1/time-off?from=2026-06-30&to=2026-06-01')).status, 422);
  const blocked = await chief('POST', `/api/v1/periods/${per}/assignments`, { day: '2026-06-03', shiftCode: 'BODY_D', userId: ids['grace.kim'] });
  assert.equal(blocked.status, 409);
  assert.equal(blocked.body.errors[0].code, 'TIME_OFF');
  // the requester cannot cancel approved time off; a chief can
  const c1 = await kim('POST', `/api/v1/vacation-requests/${req1}/cancel`);
  assert.equal(c1.status, 409);
  const c2 = await chief('POST', `/api/v1/vacation-requests/${req1}/cancel`, {});
  assert.equal(c2.status, 200);
  assert.equal(c2.body.status, 'cancelled');
  // the requester cancels their own open request
  const oct = (await kim('GET', '/api/v1/vacation-requests?status=requested')).body.items[0];
  assert.equal((await kim('POST', `/api/v1/vacation-requests/${oct.id}/cancel`)).body.status, 'cancelled');
  assert.equal((await kim('POST', '/api/v1/vacation-requests/00000000-0000-4000-8000-000000000000/cancel')).status, 404);
});

test('a CHIEF asks on someone\'s behalf', async () => {
  const r = await chief('POST', '/api/v1/vacation-requests', { startDate: '2026-08-03', endDate: '2026-08-07', kind: 'conference', userId: ids['daniel.hughes'] });
  assert.equal(r.status, 201);
  assert.equal(r.body.userId, ids['daniel.hughes']);
  assert.equal((await hughes('GET', '/api/v1/vacation-requests')).body.items.length, 1);
  const ghost = await chief('POST', '/api/v1/vacation-requests', { startDate: '2026-08-03', endDate: '2026-08-07', userId: '00000000-0000-4000-8000-000000000000' });
  assert.equal(ghost.status, 422);
  assert.equal(ghost.body.errors[0].pointer, '/userId');
});

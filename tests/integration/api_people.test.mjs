// /api/v1/people: the roster through the real binary — list with filters and cursor, read,
// create, change, deactivate (history kept), role rules, 400/404/409/422 with pointers,
// nothing written on bad input, audit rows with actor and request id.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRadsched, apiClient } from '../support/harness.mjs';

let srv, admin, chief, rad;

const client = (email) => apiClient(srv, email);
const count = (q) => Number(srv.sql(q));

before(async () => {
  srv = await startRadsched({ demo: true });
  admin = client('admin@lakeside.example');
  chief = client('chief@lakeside.example');
  rad = client('daniel.hughes@lakeside.example');
});
after(async () => { await srv?.stop(); });

test('list and read the roster as a RAD, with filters and cursor pagination', async () => {
  const r = await rad('GET', '/api/v1/people?limit=200');
  assert.equal(r.status, 200);
  assert.equal(r.body.items.length, 25);
  const emails = r.body.items.map((p) => p.email);
  assert.deepEqual(emails, [...emails].sort());
  const hughes = r.body.items.find((p) => p.email === 'daniel.hughes@lakeside.example');
  assert.deepEqual(
    { role: hughes.role, fte: hughes.fte, fellow: hughes.fellow, subspecialties: hughes.subspecialties, active: hughes.active, startDate: hughes.startDate },
    { role: 'RAD', fte: 1, fellow: false, subspecialties: ['NEURO'], active: true, startDate: '2009-07-01' });
  const seen = [];
  let cursor = null;
  do {
    const p = await rad('GET', `/api/v1/people?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(p.status, 200);
    seen.push(...p.body.items.map((x) => x.email));
    cursor = p.body.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, emails);
  const chiefs = await rad('GET', '/api/v1/people?role=CHIEF');
  assert.deepEqual(chiefs.body.items.map((p) => p.email), ['chief@lakeside.example']);
  const one = await rad('GET', `/api/v1/people/${hughes.id}`);
  assert.equal(one.status, 200);
  assert.equal(one.body.name, 'Dr. Daniel Hughes');
  assert.equal((await rad('GET', '/api/v1/people/00000000-0000-4000-8000-000000000000')).status, 404);
  assert.equal((await rad('GET', '/api/v1/people/not-a-uuid')).status, 404);
  const bad = await rad('GET', '/api/v1/people?role=BOSS&active=maybe');
  assert.equal(bad.status, 422);
  assert.equal(bad.body.errors[0].pointer, 'active');
});

test('create a person: 201 with Location, audit row; duplicates and bad input change nothing', async () => {
  const before = count('SELECT count(*) FROM users');
  const audits = count('SELECT count(*) FROM audit_log');
  const bad = await admin('POST', '/api/v1/people', { email: 'not-an-email', name: '', role: 'BOSS', fte: 2, subspecialties: ['neuro'] });
  assert.equal(bad.status, 422);
  const pointers = bad.body.errors.map((e) => e.pointer).sort();
  assert.deepEqual(pointers, ['/email', '/fte', '/name', '/role', '/subspecialties/0']);
  const unknown = await admin('POST', '/api/v1/people', { email: 'a@lakeside.example', name: 'A', role: 'RAD', salary: 1 });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.errors[0].pointer, '/salary');
  assert.equal(unknown.body.errors[0].code, 'unknown_field');
  const fte0 = await admin('POST', '/api/v1/people', { email: 'b@lakeside.example', name: 'B', role: 'RAD', fte: 0 });
  assert.equal(fte0.status, 422);
  assert.equal(fte0.body.errors[0].pointer, '/fte');
  const dates = await admin('POST', '/api/v1/people', { email: 'c@lakeside.example', name: 'C', role: 'RAD', startDate: '2026-05-01', endDate: '2026-04-30' });
  assert.equal(dates.status, 422);
  assert.equal(dates.body.errors[0].pointer, '/endDate');
  assert.equal(count('SELECT count(*) FROM users'), before);
  assert.equal(count('SELECT count(*) FROM audit_log'), audits);

  const body = { email: 'Zoe.Park@lakeside.example', name: 'Dr. Zoe Park', shortName: 'Park', role: 'RAD', fte: 0.75, fellow: true, subspecialties: ['MSK'], startDate: '2026-07-01' };
  const r = await admin('POST', '/api/v1/people', body, { 'X-Request-Id': 'people-create-1' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.headers.get('location'), `/api/v1/people/${r.body.id}`);
  assert.equal(r.body.fte, 0.75);
  assert.equal(r.body.fellow, true);
  assert.equal(srv.sql("SELECT actor_kind || ' ' || action FROM audit_log WHERE request_id = 'people-create-1' AND entity = 'users'"), 'USER INSERT');
  const dup = await admin('POST', '/api/v1/people', { ...body, email: 'zoe.park@LAKESIDE.example' });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.errors[0].pointer, '/email');
  // idempotent create
  const k = { 'Idempotency-Key': 'create-yan' };
  const y1 = await admin('POST', '/api/v1/people', { email: 'yan@lakeside.example', name: 'Dr. Yan', role: 'RAD' }, k);
  const y2 = await admin('POST', '/api/v1/people', { email: 'yan@lakeside.example', name: 'Dr. Yan', role: 'RAD' }, k);
  assert.equal(y1.status, 201);
  assert.equal(y2.status, 201);
  assert.equal(y2.body.id, y1.body.id);
  assert.equal(count("SELECT count(*) FROM users WHERE email = 'yan@lakeside.example'"), 1);
});

test('change and deactivate: history kept, sign-in refused, self-protection', async () => {
  const zoe = (await admin('GET', '/api/v1/people?limit=200')).body.items.find((p) => p.email === 'Zoe.Park@lakeside.example');
  const asZoe = client('Zoe.Park@lakeside.example');
  assert.equal((await asZoe('GET', '/api/v1/people?limit=1')).status, 200);
  const p = await admin('PATCH', `/api/v1/people/${zoe.id}`, { fte: 1, fellow: false, endDate: '2027-06-30', shortName: null });
  assert.equal(p.status, 200, JSON.stringify(p.body));
  assert.equal(p.body.fte, 1);
  assert.equal(p.body.shortName, '');
  assert.equal(p.body.endDate, '2027-06-30');
  const empty = await admin('PATCH', `/api/v1/people/${zoe.id}`, {});
  assert.equal(empty.status, 422);
  const badFte = await admin('PATCH', `/api/v1/people/${zoe.id}`, { fte: 0 });
  assert.equal(badFte.status, 422);
  assert.equal((await admin('PATCH', '/api/v1/people/00000000-0000-4000-8000-000000000000', { fte: 1 })).status, 404);
  const d = await admin('DELETE', `/api/v1/people/${zoe.id}`);
  assert.equal(d.status, 200);
  assert.equal(d.body.active, false);
  assert.ok(d.body.deactivatedAt);
  assert.equal(count(`SELECT count(*) FROM users WHERE id = '${zoe.id}'`), 1);
  assert.equal((await asZoe('GET', '/api/v1/people?limit=1')).status, 401);
  const inactive = await rad('GET', '/api/v1/people?active=false');
  assert.deepEqual(inactive.body.items.map((x) => x.email), ['Zoe.Park@lakeside.example']);
  const again = await admin('PATCH', `/api/v1/people/${zoe.id}`, { active: true });
  assert.equal(again.body.active, true);
  assert.equal(again.body.deactivatedAt, null);
  // an admin cannot change their own role, deactivate themselves, or grant SUPER_ADMIN
  const me = (await admin('GET', '/api/v1/people?role=ADMIN')).body.items[0];
  assert.equal((await admin('PATCH', `/api/v1/people/${me.id}`, { role: 'RAD' })).status, 403);
  assert.equal((await admin('DELETE', `/api/v1/people/${me.id}`)).status, 403);
  assert.equal((await admin('PATCH', `/api/v1/people/${zoe.id}`, { role: 'SUPER_ADMIN' })).status, 403);
  assert.equal((await admin('PATCH', `/api/v1/people/${zoe.id}`, { role: 'CHIEF' })).status, 200);
});

test('roster writes need ADMIN', async () => {
  const before = count('SELECT count(*) FROM users');
  const hughes = (await rad('GET', '/api/v1/people?limit=200')).body.items.find((p) => p.email === 'daniel.hughes@lakeside.example');
  assert.equal((await rad('POST', '/api/v1/people', { email: 'x@lakeside.example', name: 'X', role: 'RAD' })).status, 403);
  assert.equal((await chief('POST', '/api/v1/people', { email: 'x@lakeside.example', name: 'X', role: 'RAD' })).status, 403);
  assert.equal((await rad('PATCH', `/api/v1/people/${hughes.id}`, { fte: 0.5 })).status, 403);
  assert.equal((await rad('DELETE', `/api/v1/people/${hughes.id}`)).status, 403);
  assert.equal(count('SELECT count(*) FROM users'), before);
  assert.equal(count(`SELECT count(*) FROM users WHERE id = '${hughes.id}' AND fte = 1 AND active`), 1);
});

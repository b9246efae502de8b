// /api/v1/config through the real binary: current document, versions, diff, validate, save,
// patch with test operations and optimistic concurrency (two patches on one base: one wins,
// one gets 409 with the current version), audit rows, roles, and nothing written on bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startRadsched, root, apiClient } from '../support/harness.mjs';

let srv, admin, chief, rad;

const client = (email) => apiClient(srv, email);
const versions = () => Number(srv.sql('SELECT count(*) FROM config_versions'));
const current = () => Number(srv.sql("SELECT config_version FROM tenants WHERE slug = 'demo'"));

before(async () => {
  srv = await startRadsched({ demo: true });
  admin = client('admin@lakeside.example');
  chief = client('chief@lakeside.example');
  rad = client('daniel.hughes@lakeside.example');
});
after(async () => { await srv?.stop(); });

test('current config and its versions are readable by every role', async () => {
  const r = await rad('GET', '/api/v1/config');
  assert.equal(r.status, 200);
  assert.equal(r.body.number, 1);
  assert.equal(r.body.actorKind, 'SYSTEM');
  assert.equal(r.body.current, true);
  assert.equal(r.body.document.timezone, 'America/Toronto');
  const l = await rad('GET', '/api/v1/config/versions');
  assert.equal(l.status, 200);
  assert.equal(l.body.items.length, 1);
  assert.equal(l.body.next_cursor, null);
  assert.equal(l.body.items[0].document, undefined);
  const v = await rad('GET', '/api/v1/config/versions/1');
  assert.equal(v.status, 200);
  assert.deepEqual(v.body.document, r.body.document);
  assert.equal((await rad('GET', '/api/v1/config/versions/99')).status, 404);
  assert.equal((await rad('GET', '/api/v1/config/versions/abc')).status, 404);
  const anon = await fetch(srv.url + '/api/v1/config');
  assert.equal(anon.status, 401);
});

test('validate reports every problem with pointer and code, separates warnings, saves nothing', async () => {
  const doc = (await admin('GET', '/api/v1/config')).body.document;
  const bad = structuredClone(doc);
  bad.timezone = 'America/Totonto';
  bad.shiftTypes[0].colour = '#fff';
  bad.coverage.requirements.push({ shiftType: 'NOPE', count: 1 });
  const r = await admin('POST', '/api/v1/config/validate', { document: bad });
  assert.equal(r.status, 200);
  assert.equal(r.body.valid, false);
  const codes = r.body.errors.map((e) => `${e.pointer} ${e.code}`);
  assert.ok(codes.includes('/shiftTypes/0/colour SCHEMA_UNKNOWN_PROPERTY'), codes.join('\n'));
  assert.ok(codes.some((c) => c.startsWith('/timezone ')), codes.join('\n'));
  assert.ok(r.body.errors.some((e) => e.code === 'UNKNOWN_SHIFT_TYPE'));
  for (const e of r.body.errors) assert.ok(e.message.length > 0);
  assert.ok(Array.isArray(r.body.warnings));
  const ok = await admin('POST', '/api/v1/config/validate', { document: doc });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.valid, true);
  assert.deepEqual(ok.body.errors, []);
  // a patch can be validated too (the agent's proposeConfigPatch), with the result
  const p = await admin('POST', '/api/v1/config/validate', { baseVersion: 1, patch: [{ op: 'replace', path: '/ics/windowDaysBack', value: 7 }] });
  assert.equal(p.status, 200);
  assert.equal(p.body.valid, true);
  assert.equal(p.body.document.ics.windowDaysBack, 7);
  assert.equal(versions(), 1);
  // shape of the request itself
  const u = await admin('POST', '/api/v1/config/validate', { document: doc, extra: 1 });
  assert.equal(u.status, 400);
  assert.equal(u.body.type, 'https://radsched.dev/problems/unknown_field');
  assert.equal(u.body.errors[0].pointer, '/extra');
  assert.equal((await chief('POST', '/api/v1/config/validate', { document: doc })).status, 403);
});

test('save a document: 422 with every error and nothing written; 201 with warnings and audit', async () => {
  const doc = (await admin('GET', '/api/v1/config')).body.document;
  const bad = structuredClone(doc);
  bad.rules.maxConsecutiveWorkingDays = 0;
  bad.eligibility.lists[0].people.push('ghost@lakeside.example');
  const before = Number(srv.sql('SELECT count(*) FROM audit_log'));
  const r = await admin('POST', '/api/v1/config/versions', { baseVersion: 1, message: 'bad', document: bad });
  assert.equal(r.status, 422);
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
  const pointers = r.body.errors.map((e) => e.pointer);
  assert.ok(pointers.includes('/document/rules/maxConsecutiveWorkingDays'), pointers.join(' '));
  assert.ok(r.body.errors.some((e) => e.code === 'UNKNOWN_PERSON' && e.pointer.startsWith('/document/eligibility/lists/0/people/')));
  assert.ok(Array.isArray(r.body.warnings));
  assert.equal(versions(), 1);
  assert.equal(Number(srv.sql('SELECT count(*) FROM audit_log')), before);
  // malformed JSON, wrong content type, missing members
  const m = await admin('POST', '/api/v1/config/versions', '{"baseVersion": 1, "document": {}');
  assert.equal(m.status, 400);
  assert.equal(m.body.type, 'https://radsched.dev/problems/malformed');
  const ct = await admin('POST', '/api/v1/config/versions', 'x', { 'Content-Type': 'text/plain' });
  assert.equal(ct.status, 415);
  const req = await admin('POST', '/api/v1/config/versions', { document: doc });
  assert.equal(req.status, 422);
  assert.equal(req.body.errors[0].pointer, '/baseVersion');
  assert.equal(req.body.errors[0].code, 'required');
  // a good save
  const good = structuredClone(doc);
  good.ics.windowDaysBack = 45;
  const s = await admin('POST', '/api/v1/config/versions', { baseVersion: 1, message: 'longer window', document: good }, { 'X-Request-Id': 'cfg-save-1' });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  assert.equal(s.body.number, 2);
  assert.equal(s.body.parent, 1);
  assert.equal(s.body.actorKind, 'USER');
  assert.equal(s.headers.get('location'), '/api/v1/config/versions/2');
  assert.ok(Array.isArray(s.body.warnings));
  assert.equal(current(), 2);
  const audit = srv.sql("SELECT actor_kind || ' ' || request_id FROM audit_log WHERE entity = 'config_versions' AND action = 'INSERT' AND after->>'number' = '2'");
  assert.equal(audit, 'USER cfg-save-1');
  // saving the same document again changes nothing: refused
  const same = await admin('POST', '/api/v1/config/versions', { baseVersion: 2, document: good });
  assert.equal(same.status, 422);
  assert.equal(versions(), 2);
});

test('patch on a base version: test operations, stale base 409 with currentVersion, diff', async () => {
  const base = current();
  const r = await admin('POST', '/api/v1/config/patch', {
    baseVersion: base, message: 'eight days',
    patch: [
      { op: 'test', path: '/rules/maxConsecutiveWorkingDays', value: 7 },
      { op: 'replace', path: '/rules/maxConsecutiveWorkingDays', value: 8 },
    ],
  }, { 'X-Request-Id': 'cfg-patch-1' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.number, base + 1);
  assert.equal(r.body.message, 'eight days');
  // the same base again is stale
  const stale = await admin('POST', '/api/v1/config/patch', { baseVersion: base, patch: [{ op: 'replace', path: '/ics/windowDaysBack', value: 9 }] });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.type, 'https://radsched.dev/problems/conflict');
  assert.equal(stale.body.currentVersion, base + 1);
  assert.equal(stale.body.errors[0].pointer, '/baseVersion');
  assert.match(stale.body.detail, new RegExp(`current version is ${base + 1}`));
  // a failed test operation is a conflict naming the operation
  const t = await admin('POST', '/api/v1/config/patch', { baseVersion: base + 1, patch: [{ op: 'test', path: '/rules/maxConsecutiveWorkingDays', value: 7 }, { op: 'remove', path: '/ics' }] });
  assert.equal(t.status, 409);
  assert.equal(t.body.errors[0].pointer, '/patch/0');
  // an operation that cannot apply, and a result that is invalid
  const bad = await admin('POST', '/api/v1/config/patch', { baseVersion: base + 1, patch: [{ op: 'move', from: '/nope', path: '/x' }] });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.errors[0].pointer, '/patch/0');
  const inv = await admin('POST', '/api/v1/config/patch', { baseVersion: base + 1, patch: [{ op: 'remove', path: '/timezone' }] });
  assert.equal(inv.status, 422);
  assert.ok(inv.body.errors.some((e) => e.code === 'SCHEMA_REQUIRED' && e.pointer === '/timezone'), JSON.stringify(inv.body.errors));
  const shape = await admin('POST', '/api/v1/config/patch', { baseVersion: 'two', patch: {} });
  assert.equal(shape.status, 422);
  assert.deepEqual(shape.body.errors.map((e) => e.pointer).sort(), ['/baseVersion', '/patch']);
  assert.equal(current(), base + 1);
  // dry run
  const dry = await admin('POST', '/api/v1/config/patch', { baseVersion: base + 1, dryRun: true, patch: [{ op: 'replace', path: '/ics/windowDaysBack', value: 3 }] });
  assert.equal(dry.status, 200);
  assert.equal(dry.body.valid, true);
  assert.equal(dry.body.document.ics.windowDaysBack, 3);
  assert.equal(current(), base + 1);
  // the diff between the two versions is the change
  const d = await rad('GET', `/api/v1/config/diff?from=${base}&to=${base + 1}`);
  assert.equal(d.status, 200);
  assert.deepEqual(d.body.patch, [{ op: 'replace', path: '/rules/maxConsecutiveWorkingDays', value: 8 }]);
  const d2 = await rad('GET', `/api/v1/config/diff?from=${base}`);
  assert.equal(d2.body.to, base + 1);
  assert.equal((await rad('GET', '/api/v1/config/diff?from=99')).status, 404);
  const q = await rad('GET', '/api/v1/config/diff');
  assert.equal(q.status, 422);
  assert.equal(q.body.errors[0].pointer, 'from');
  assert.equal((await rad('GET', '/api/v1/config/diff?from=1&what=2')).status, 422);
  // audit: the version row and the pointer move, by this user and request
  const who = srv.sql("SELECT u.email FROM audit_log a JOIN users u ON u.id = a.actor_user_id WHERE a.request_id = 'cfg-patch-1' AND a.entity = 'tenants'");
  assert.equal(who, 'admin@lakeside.example');
});

test('two patches on the same base at once: one wins, one gets 409', async () => {
  const base = current();
  const mk = (v) => admin('POST', '/api/v1/config/patch', { baseVersion: base, patch: [{ op: 'replace', path: '/ics/windowDaysBack', value: v }] });
  const [a, b] = await Promise.all([mk(20), mk(21)]);
  assert.deepEqual([a.status, b.status].sort(), [201, 409]);
  const loser = a.status === 409 ? a : b;
  assert.equal(loser.body.currentVersion, base + 1);
  assert.equal(current(), base + 1);
});

test('Idempotency-Key: same key and body replays, another body is refused', async () => {
  const base = current();
  const body = { baseVersion: base, patch: [{ op: 'replace', path: '/ics/windowDaysBack', value: 33 }] };
  const h = { 'Idempotency-Key': 'cfg-key-1' };
  const a = await admin('POST', '/api/v1/config/patch', body, h);
  assert.equal(a.status, 201);
  const b = await admin('POST', '/api/v1/config/patch', body, h);
  assert.equal(b.status, 201);
  assert.equal(b.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(b.body, a.body);
  assert.equal(current(), base + 1);
  const c = await admin('POST', '/api/v1/config/patch', { ...body, message: 'other' }, h);
  assert.equal(c.status, 422);
  assert.equal(c.body.errors[0].pointer, 'Idempotency-Key');
});

test('writes need ADMIN; a RAD or CHIEF cannot change the config', async () => {
  const base = current();
  const body = { baseVersion: base, patch: [{ op: 'replace', path: '/ics/windowDaysBack', value: 1 }] };
  assert.equal((await rad('POST', '/api/v1/config/patch', body)).status, 403);
  assert.equal((await chief('POST', '/api/v1/config/patch', body)).status, 403);
  const doc = (await rad('GET', '/api/v1/config')).body.document;
  assert.equal((await rad('POST', '/api/v1/config/versions', { baseVersion: base, document: doc })).status, 403);
  assert.equal(current(), base);
});

test('version list pages with a cursor', async () => {
  const all = (await rad('GET', '/api/v1/config/versions?limit=200')).body.items.map((v) => v.number);
  const seen = [];
  let cursor = null;
  do {
    const r = await rad('GET', `/api/v1/config/versions?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200);
    seen.push(...r.body.items.map((v) => v.number));
    cursor = r.body.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, all);
  assert.deepEqual(all, [...all].sort((x, y) => y - x));
  assert.equal((await rad('GET', '/api/v1/config/versions?limit=0')).status, 422);
  assert.equal((await rad('GET', '/api/v1/config/versions?cursor=***')).status, 422);
});

test('radsched config show prints the current (or a given) document', async () => {
  const bin = process.env.RADSCHED_BIN || join(root, 'build/radsched');
  const env = { ...process.env, RADSCHED_DATABASE_URL: srv.db.app, RADSCHED_SECRET: 'test-secret-0123456789abcdef0123456789abcdef', RADSCHED_SHARE_DIR: root, RADSCHED_LOG_LEVEL: 'warn' };
  const out = execFileSync(bin, ['config', 'show', '--tenant', 'demo', '--data-dir', srv.dataDir], { env, encoding: 'utf8' });
  const api = (await rad('GET', '/api/v1/config')).body.document;
  assert.deepEqual(JSON.parse(out), api);
  const v1 = JSON.parse(execFileSync(bin, ['config', 'show', '--tenant', 'demo', '--version', '1', '--data-dir', srv.dataDir], { env, encoding: 'utf8' }));
  assert.equal(v1.ics.windowDaysBack, 30);
  const unknown = spawnSync(bin, ['config', 'show', '--tenant', 'nope', '--data-dir', srv.dataDir], { env, encoding: 'utf8' });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /--tenant: there is no tenant "nope"/);
  const noVersion = spawnSync(bin, ['config', 'show', '--tenant', 'demo', '--version', '999', '--data-dir', srv.dataDir], { env, encoding: 'utf8' });
  assert.equal(noVersion.status, 2);
  assert.equal(spawnSync(bin, ['config', 'show', '--data-dir', srv.dataDir], { env }).status, 2);
  assert.equal(spawnSync(bin, ['config'], { env }).status, 2);
  // `config validate` still reaches its own command
  const val = spawnSync(bin, ['config', 'validate', join(root, 'config/demo/lakeside.json'), '--roster', join(root, 'config/demo/roster.json')], { env, encoding: 'utf8' });
  assert.equal(val.status, 0, val.stdout + val.stderr);
});

// Sessions through the real binary: refresh rotation and reuse detection, sign-out,
// role change and deactivation ending sessions at once, CSRF on cookie mutations, sign
// out everywhere, API tokens (CLI, account API) and /api/v1/me.
// Needs RADSCHED_TEST_PG (scripts/test.sh) and the built binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { root, startRadsched } from '../support/harness.mjs';
import { Jar, csrfOf, form, magicSignIn } from './auth_helpers.mjs';

let srv;
before(async () => { srv = await startRadsched({ demo: true }); });
after(async () => { await srv?.stop(); });

const url = (p) => `${srv.url}${p}`;
const userId = (email) => srv.sql(`SELECT id FROM users WHERE email = '${email}'`);
const status = async (jar, path, init) => (await jar.fetch(url(path), init)).status;

function cli(...args) {
  const bin = process.env.RADSCHED_BIN || join(root, 'build/radsched');
  return execFileSync(bin, args, {
    encoding: 'utf8',
    env: { ...process.env, RADSCHED_DATABASE_URL: srv.db.app, RADSCHED_SHARE_DIR: root, RADSCHED_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

test('/api/v1/me needs a session or a token', async () => {
  assert.equal((await fetch(url('/api/v1/me'))).status, 401);
  assert.equal((await fetch(url('/api/v1/me'), { headers: { cookie: 'rs_session=forged.token.here' } })).status, 401);
  const jar = await magicSignIn(srv, 'chief@lakeside.example');
  const me = await (await jar.fetch(url('/api/v1/me'))).json();
  assert.deepEqual([me.email, me.role, me.tenant, me.via], ['chief@lakeside.example', 'CHIEF', 'demo', 'session']);
});

test('refresh rotates the token; a spent token presented again ends the whole session', async () => {
  const jar = await magicSignIn(srv, 'grace.kim@lakeside.example');
  const first = jar.cookies.get('rs_refresh');
  const r1 = await jar.fetch(url('/auth/refresh'), { method: 'POST' });
  assert.equal(r1.status, 200);
  const second = jar.cookies.get('rs_refresh');
  assert.notEqual(second, first);
  assert.equal(await status(jar, '/api/v1/me'), 200);
  // the page form of refresh: back to next
  const r2 = await jar.fetch(url('/auth/refresh?next=%2Faccount'));
  assert.equal(r2.status, 303);
  assert.equal(r2.headers.get('location'), '/account');
  const third = jar.cookies.get('rs_refresh');
  // an attacker replays the first token
  const thief = new Jar();
  thief.cookies.set('rs_refresh', first);
  const replay = await thief.fetch(url('/auth/refresh'), { method: 'POST' });
  assert.equal(replay.status, 401);
  assert.match(await replay.text(), /already used/);
  // the family is gone: the legitimate cookies no longer work either
  assert.equal(await status(jar, '/api/v1/me'), 401);
  assert.equal((await jar.fetch(url('/auth/refresh'), { method: 'POST' })).status, 401);
  assert.ok(third);
  assert.equal(srv.sql("SELECT count(*) FROM auth_sessions WHERE revoked_reason = 'refresh_reuse'"), '1');
  assert.equal(srv.sql("SELECT count(*) FROM audit_log WHERE action = 'session_revoked' AND after->>'reason' = 'refresh_reuse'"), '1');
  // no refresh cookie: pages go to sign-in, scripts get 401
  const none = await new Jar().fetch(url('/auth/refresh?next=%2Fschedule'));
  assert.equal(none.status, 303);
  assert.equal(none.headers.get('location'), '/login?error=expired&next=%2Fschedule');
  assert.equal((await new Jar().fetch(url('/auth/refresh'), { method: 'POST' })).status, 401);
});

test('sign-out ends the session at once and clears the cookies', async () => {
  const jar = await magicSignIn(srv, 'daniel.hughes@lakeside.example');
  const access = jar.cookies.get('rs_session');
  const res = await jar.fetch(url('/auth/logout'), { method: 'POST' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/login?signed_out=1');
  assert.equal(jar.cookies.size, 0);
  const stale = new Jar();
  stale.cookies.set('rs_session', access); // the 15-minute token is dead too
  assert.equal(await status(stale, '/api/v1/me'), 401);
  assert.match(await (await fetch(url('/login?signed_out=1'))).text(), /You are signed out/);
  // a cross-site sign-out is refused
  const jar2 = await magicSignIn(srv, 'daniel.hughes@lakeside.example');
  const evil = await jar2.fetch(url('/auth/logout'), { method: 'POST', headers: { origin: 'http://evil.example' } });
  assert.equal(evil.status, 403);
  assert.equal(await status(jar2, '/api/v1/me'), 200);
});

test('CSRF: cookie-authenticated mutations need the token and our origin; bearer tokens do not', async () => {
  const admin = await magicSignIn(srv, 'admin@lakeside.example');
  const csrf = await csrfOf(srv, admin);
  const invite = (extra, headers = {}) => admin.fetch(url('/admin/people/invite'), {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ email: 'csrf.test@lakeside.example', role: 'RAD', ...extra }).toString(),
  });
  assert.equal((await invite({})).status, 403);
  assert.equal((await invite({ _csrf: 'x'.repeat(43) })).status, 403);
  assert.equal((await invite({ _csrf: csrf }, { origin: 'http://evil.example' })).status, 403);
  assert.equal(srv.sql("SELECT count(*) FROM invitations WHERE email = 'csrf.test@lakeside.example'"), '0');
  assert.equal((await invite({ _csrf: csrf })).status, 303);
  assert.equal((await invite({}, { 'x-csrf-token': csrf, origin: srv.url })).status, 303);
  // another session's token does not fit
  const other = await magicSignIn(srv, 'admin@lakeside.example');
  assert.notEqual(await csrfOf(srv, other), csrf);
  // a bearer token is not cookie-authenticated: no CSRF token needed
  const token = cli('token', 'create', '--tenant', 'demo', '--user', 'admin@lakeside.example', '--name', 'csrf test').trim();
  const r = await fetch(url('/api/v1/invitations'), {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bearer.invite@lakeside.example', role: 'RAD' }),
  });
  assert.equal(r.status, 201);
});

test('a role change and a deactivation end the person\'s sessions and tokens at once', async () => {
  const admin = await magicSignIn(srv, 'admin@lakeside.example');
  const csrf = await csrfOf(srv, admin);
  const rad = await magicSignIn(srv, 'marc.tremblay@lakeside.example');
  const token = cli('token', 'create', '--tenant', 'demo', '--user', 'marc.tremblay@lakeside.example').trim();
  const bearer = { headers: { authorization: `Bearer ${token}` } };
  assert.equal(await status(rad, '/api/v1/me'), 200);
  const id = userId('marc.tremblay@lakeside.example');
  assert.equal(await status(admin, `/admin/people/${id}/role`, form({ _csrf: csrf, role: 'CHIEF' })), 303);
  assert.equal(await status(rad, '/api/v1/me'), 401, 'session ended by the role change');
  const viaToken = await (await fetch(url('/api/v1/me'), bearer)).json();
  assert.equal(viaToken.role, 'CHIEF', 'tokens act with the current role');
  assert.equal(srv.sql(`SELECT after->>'to' FROM audit_log WHERE action = 'role_changed' AND entity_id = '${id}'`), 'CHIEF');
  const rad2 = await magicSignIn(srv, 'marc.tremblay@lakeside.example');
  assert.equal((await (await rad2.fetch(url('/api/v1/me'))).json()).role, 'CHIEF');
  assert.equal(await status(admin, `/admin/people/${id}/deactivate`, form({ _csrf: csrf })), 303);
  assert.equal(await status(rad2, '/api/v1/me'), 401);
  assert.equal((await fetch(url('/api/v1/me'), bearer)).status, 401);
  assert.equal(srv.sql(`SELECT count(*) FROM audit_log WHERE action = 'deactivated' AND entity_id = '${id}'`), '1');
  // and a deactivated person cannot sign in again
  const r = await fetch(url('/auth/magic-link'), { ...form({ email: 'marc.tremblay@lakeside.example' }), redirect: 'manual' });
  assert.equal(r.status, 303);
  assert.equal(await status(admin, `/admin/people/${id}/reactivate`, form({ _csrf: csrf })), 303);
});

test('account page: sessions listed, one ended, then everywhere', async () => {
  const a = await magicSignIn(srv, 'hannah.schultz@lakeside.example');
  const b = await magicSignIn(srv, 'hannah.schultz@lakeside.example');
  const html = await (await a.fetch(url('/account'))).text();
  assert.match(html, /this browser/);
  const ids = [...html.matchAll(/\/account\/sessions\/([0-9a-f-]{36})\/revoke/g)].map((m) => m[1]);
  assert.equal(ids.length, 2);
  const csrf = html.match(/name="_csrf" value="([^"]+)"/)[1];
  const current = srv.sql(`SELECT id FROM auth_sessions WHERE user_id = '${userId('hannah.schultz@lakeside.example')}' ORDER BY created_at DESC LIMIT 1`);
  assert.equal(await status(a, `/account/sessions/${current}/revoke`, form({ _csrf: csrf })), 303);
  assert.equal(await status(b, '/api/v1/me'), 401);
  assert.equal(await status(a, '/api/v1/me'), 200);
  const c = await magicSignIn(srv, 'hannah.schultz@lakeside.example');
  assert.equal(await status(a, '/account/sign-out-everywhere', form({ _csrf: csrf })), 303);
  assert.equal(await status(a, '/api/v1/me'), 401);
  assert.equal(await status(c, '/api/v1/me'), 401);
  // someone else's session id is not mine to end
  const d = await magicSignIn(srv, 'hannah.schultz@lakeside.example');
  const other = srv.sql(`SELECT id FROM auth_sessions WHERE revoked_at IS NULL AND user_id <> '${userId('hannah.schultz@lakeside.example')}' LIMIT 1`);
  assert.equal(await status(d, `/account/sessions/${other}/revoke`, form({ _csrf: await csrfOf(srv, d) })), 404);
});

test('API tokens: CLI create/list/revoke, account API, scopes, never minted by a token', async () => {
  const out = cli('token', 'create', '--tenant', 'demo', '--user', 'lucia.moretti@lakeside.example', '--name', 'nightly', '--scope', 'api,mcp');
  const token = out.trim();
  assert.match(token, /^rsk_[A-Za-z0-9_-]{43}$/);
  const hash = srv.sql(`SELECT token_hash FROM api_tokens WHERE name = 'nightly'`);
  assert.notEqual(hash, token);
  assert.equal(srv.sql(`SELECT scopes::text FROM api_tokens WHERE name = 'nightly'`), '{api,mcp}');
  const me = await (await fetch(url('/api/v1/me'), { headers: { authorization: `Bearer ${token}` } })).json();
  assert.deepEqual([me.email, me.via], ['lucia.moretti@lakeside.example', 'api_token']);
  assert.match(cli('token', 'list', '--tenant', 'demo', '--user', 'lucia.moretti@lakeside.example'), /nightly/);
  const id = srv.sql(`SELECT id FROM api_tokens WHERE name = 'nightly'`);
  cli('token', 'revoke', '--tenant', 'demo', '--id', id);
  assert.equal((await fetch(url('/api/v1/me'), { headers: { authorization: `Bearer ${token}` } })).status, 401);
  assert.throws(() => cli('token', 'create', '--tenant', 'demo', '--user', 'nobody@lakeside.example'), /no person/);
  assert.throws(() => cli('token', 'create', '--tenant', 'nope', '--user', 'admin@lakeside.example'), /no tenant/);
  assert.throws(() => cli('token', 'create', '--tenant', 'demo', '--user', 'admin@lakeside.example', '--scope', 'root'), /scopes/);
  // the account API, from a browser session
  const jar = await magicSignIn(srv, 'lucia.moretti@lakeside.example');
  const csrf = await csrfOf(srv, jar);
  const made = await jar.fetch(url('/api/v1/tokens'), {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ name: 'script', scopes: ['api'] }),
  });
  assert.equal(made.status, 201);
  const t = await made.json();
  const viaToken = { authorization: `Bearer ${t.token}` };
  assert.equal((await fetch(url('/api/v1/me'), { headers: viaToken })).status, 200);
  const mint = await fetch(url('/api/v1/tokens'), {
    method: 'POST', headers: { ...viaToken, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'child' }),
  });
  assert.equal(mint.status, 403);
  const bad = await jar.fetch(url('/api/v1/tokens'), {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ name: 'x', scopes: ['root'] }),
  });
  assert.equal(bad.status, 422);
  const list = await (await jar.fetch(url('/api/v1/tokens'))).json();
  assert.ok(list.tokens.some((x) => x.name === 'script' && x.revoked_at === null));
  assert.ok(!JSON.stringify(list).includes(t.token));
  assert.equal((await jar.fetch(url(`/api/v1/tokens/${t.id}`), { method: 'DELETE', headers: { 'x-csrf-token': csrf } })).status, 204);
  assert.equal((await fetch(url('/api/v1/me'), { headers: viaToken })).status, 401);
});

// Single sign-on end to end against a real OpenID Provider (npm oidc-provider) on
// loopback with Google-like claims (hd, email_verified): success, auto-enrolment by hd,
// state checks, and every forgery refused (wrong aud, expired, bad signature, HS256 alg
// confusion, alg none, unverified email, foreign kid), and an unknown kid refreshing the
// JWKS. Needs RADSCHED_TEST_PG (scripts/test.sh) and the built binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRadsched } from '../support/harness.mjs';
import { startOidcPeer, ssoSignIn, Jar } from './oidc_peer.mjs';

let op, srv;

before(async () => {
  op = await startOidcPeer();
  srv = await startRadsched({ demo: true, env: op.env });
  op.register(srv.url);
  op.accounts.set('alice', { email: 'alice.new@lakeside.example', email_verified: true, hd: 'lakeside.example', name: 'Dr. Alice New' });
  op.accounts.set('admin', { email: 'Admin@Lakeside.example', email_verified: true, hd: 'lakeside.example', name: 'Jordan Ellis' });
  op.accounts.set('mismatch', { email: 'carol@lakeside.example', email_verified: true, hd: 'elsewhere.example', name: 'Carol' });
  op.accounts.set('outsider', { email: 'eve@elsewhere.example', email_verified: true, hd: 'elsewhere.example', name: 'Eve' });
});

after(async () => {
  await srv?.stop();
  await op?.stop();
});

const sessions = () => Number(srv.sql('SELECT count(*) FROM auth_sessions'));

async function me(jar) {
  const r = await jar.fetch(`${srv.url}/api/v1/me`);
  return { status: r.status, body: r.status === 200 ? await r.json() : await r.text() };
}

test('sign-in page offers the single sign-on button', async () => {
  const html = await (await fetch(`${srv.url}/login`)).text();
  assert.match(html, /href="\/auth\/oidc\/start\?next=%2F"/);
  assert.match(html, /Sign in with 127\.0\.0\.1/);
});

test('success: code flow with PKCE, verified ID token, auto-enrolment by hd as RAD', async () => {
  op.tamper = null;
  const { res, jar, callbackUrl } = await ssoSignIn(srv, op, 'alice', { query: '?next=%2Faccount' });
  assert.equal(res.status, 303, await res.clone().text());
  assert.equal(res.headers.get('location'), '/account');
  assert.ok(jar.cookies.get('rs_session') && jar.cookies.get('rs_refresh'));
  assert.equal(jar.cookies.get('rs_oidc'), undefined, 'the state cookie is spent');
  assert.ok(callbackUrl.searchParams.get('code') && callbackUrl.searchParams.get('state'));
  const m = await me(jar);
  assert.equal(m.status, 200);
  assert.deepEqual([m.body.email, m.body.role, m.body.tenant, m.body.name], ['alice.new@lakeside.example', 'RAD', 'demo', 'Dr. Alice New']);
  assert.equal(srv.sql("SELECT role || ' ' || schedulable FROM users WHERE email = 'alice.new@lakeside.example'"), 'RAD false');
  assert.equal(srv.sql("SELECT count(*) FROM audit_log WHERE action = 'enrolled'"), '1');
  assert.equal(srv.sql("SELECT after->>'method' FROM audit_log WHERE action = 'sign_in' ORDER BY id DESC LIMIT 1"), 'oidc');
  // the authorization request asked for exactly openid email profile, with S256 PKCE
  const start = await new Jar().fetch(`${srv.url}/auth/oidc/start`);
  const az = new URL(start.headers.get('location'));
  assert.equal(az.searchParams.get('scope'), 'openid email profile');
  assert.equal(az.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(az.searchParams.get('response_type'), 'code');
  assert.ok(az.searchParams.get('nonce').length >= 43 && az.searchParams.get('state').length >= 43);
  assert.match(op.tokenRequests.at(-1).authorization, /^Basic /);
  // a second sign-in is no second enrolment
  const again = await ssoSignIn(srv, op, 'alice');
  assert.equal(again.res.status, 303);
  assert.equal(srv.sql("SELECT count(*) FROM users WHERE email = 'alice.new@lakeside.example'"), '1');
});

test('existing person keeps their role (email matched case-insensitively)', async () => {
  op.tamper = null;
  const { res, jar } = await ssoSignIn(srv, op, 'admin');
  assert.equal(res.status, 303);
  const m = await me(jar);
  assert.equal(m.body.role, 'ADMIN');
  assert.equal(m.body.email, 'admin@lakeside.example');
});

test('an hd that is not the email domain does not enrol; strangers get a clear page', async () => {
  op.tamper = null;
  const before = sessions();
  let { res } = await ssoSignIn(srv, op, 'mismatch');
  assert.equal(res.status, 403);
  assert.match(await res.text(), /accepts sign-ins only from addresses at lakeside\.example/);
  ({ res } = await ssoSignIn(srv, op, 'outsider'));
  assert.equal(res.status, 403);
  assert.match(await res.text(), /accepts sign-ins only from addresses at lakeside\.example|not a member/);
  assert.equal(sessions(), before);
  assert.equal(srv.sql("SELECT count(*) FROM users WHERE email IN ('carol@lakeside.example', 'eve@elsewhere.example')"), '0');
});

test('state: a callback without the browser\'s state cookie or with another state is refused', async () => {
  op.tamper = null;
  op.next = 'alice';
  const rs = new Jar(), opj = new Jar();
  const start = await rs.fetch(`${srv.url}/auth/oidc/start`);
  let url = start.headers.get('location');
  while (!url.startsWith(srv.url)) {
    const r = await opj.fetch(url);
    url = new URL(r.headers.get('location'), url).href;
  }
  const before = sessions();
  const wrong = new URL(url);
  wrong.searchParams.set('state', 'x'.repeat(43));
  let res = await rs.fetch(wrong.href);
  assert.equal(res.status, 400);
  res = await new Jar().fetch(url); // another browser: no state cookie
  assert.equal(res.status, 400);
  assert.equal(sessions(), before);
});

for (const [mode, why] of [
  ['wrong_aud', 'aud is another client'],
  ['expired', 'exp an hour ago'],
  ['bad_signature', 'one signature bit flipped'],
  ['hs256', 'HS256 signed with the RSA public key (alg confusion)'],
  ['none', 'alg none'],
  ['unverified', 'email_verified false'],
]) {
  test(`forged ID token refused: ${why}`, async () => {
    op.tamper = mode;
    const before = sessions();
    const { res, jar } = await ssoSignIn(srv, op, 'admin');
    op.tamper = null;
    assert.equal(res.status, 401, `${mode}: ${res.status}`);
    assert.match(await res.text(), /could not be verified/);
    assert.equal(jar.cookies.get('rs_session'), undefined);
    assert.equal(sessions(), before);
  });
}

test('unknown kid: the JWKS is fetched again and the rotated key accepted; a kid nobody publishes is refused', async () => {
  op.tamper = null;
  assert.equal((await ssoSignIn(srv, op, 'admin')).res.status, 303); // keys cached
  const fetches = op.jwksFetches;
  await new Promise((r) => setTimeout(r, 1200)); // past --oidc-jwks-min-refresh 1
  op.tamper = 'rotate';
  const { res, jar } = await ssoSignIn(srv, op, 'admin');
  assert.equal(res.status, 303, await res.clone().text());
  assert.equal(op.jwksFetches, fetches + 1, 'exactly one refresh for the unknown kid');
  assert.equal((await me(jar)).body.role, 'ADMIN');
  await new Promise((r) => setTimeout(r, 1200));
  op.tamper = 'unknown_kid';
  const bad = await ssoSignIn(srv, op, 'admin');
  op.tamper = null;
  assert.equal(bad.res.status, 401);
  assert.equal(bad.jar.cookies.get('rs_session'), undefined);
});

test('the same address in two departments: choose one (bound to the verified identity), or name it up front', async () => {
  op.tamper = null;
  srv.sql(`SELECT tenant_create('riverside', 'Riverside Imaging', 'America/Toronto')`);
  srv.sql(`INSERT INTO users (tenant_id, email, name, role) SELECT id, 'admin@lakeside.example', 'Jordan Ellis', 'CHIEF'
             FROM tenants WHERE slug = 'riverside'`);
  const riverside = srv.sql("SELECT id FROM tenants WHERE slug = 'riverside'");
  const { res, jar } = await ssoSignIn(srv, op, 'admin');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /Choose a department/);
  assert.match(html, /Lakeside Radiology/);
  assert.match(html, /Riverside Imaging/);
  assert.equal(jar.cookies.get('rs_session'), undefined);
  // a department that was not offered, or no pending identity: refused
  const choose = (j, tenant) => j.fetch(`${srv.url}/auth/oidc/choose`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `tenant=${tenant}` });
  assert.equal((await choose(jar, '00000000-0000-4000-8000-000000000000')).status, 400);
  assert.equal((await choose(new Jar(), riverside)).status, 400);
  const ok = await choose(jar, riverside);
  assert.equal(ok.status, 303);
  const m = await me(jar);
  assert.deepEqual([m.body.tenant, m.body.role], ['riverside', 'CHIEF']);
  // naming the department at the start skips the choice
  const direct = await ssoSignIn(srv, op, 'admin', { query: '?tenant=demo' });
  assert.equal(direct.res.status, 303);
  assert.equal((await me(direct.jar)).body.tenant, 'demo');
});

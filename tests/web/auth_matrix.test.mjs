// The role × route matrix over HTTP: `radsched routes --json` lists every registered
// route; each is requested anonymously and as RAD, CHIEF, ADMIN and SUPER_ADMIN (bearer
// tokens). Below the minimum role the answer is 401/403 (the handler never runs);
// allowed GETs are never 401/403; every signed-in mutation refuses a session cookie
// without its CSRF token. Needs RADSCHED_TEST_PG (scripts/test.sh) and the built binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { apiTokenFor, root, startRadsched } from '../support/harness.mjs';
import { magicSignIn } from './auth_helpers.mjs';

const LADDER = ['PUBLIC', 'RAD', 'CHIEF', 'ADMIN', 'SUPER_ADMIN'];
let srv, routes, tokens;

before(async () => {
  srv = await startRadsched({ demo: true });
  const bin = process.env.RADSCHED_BIN || join(root, 'build/radsched');
  routes = JSON.parse(execFileSync(bin, ['routes', '--json'], { encoding: 'utf8', env: { ...process.env, RADSCHED_SHARE_DIR: root } }));
  srv.sql(`INSERT INTO users (tenant_id, email, name, role, schedulable)
           SELECT id, 'operator@lakeside.example', 'Platform Operator', 'SUPER_ADMIN', false FROM tenants WHERE slug = 'demo'`);
  tokens = {
    RAD: apiTokenFor(srv, 'priya.raman@lakeside.example'),
    CHIEF: apiTokenFor(srv, 'chief@lakeside.example'),
    ADMIN: apiTokenFor(srv, 'admin@lakeside.example'),
    SUPER_ADMIN: apiTokenFor(srv, 'operator@lakeside.example'),
  };
});
after(async () => { await srv?.stop(); });

const concrete = (p) => p.replace(/\{\*[a-z_]+\}/g, 'app.css').replace(/\{[a-z_]+\}/g, '00000000-0000-4000-8000-000000000001');
const isMutation = (m) => !['GET', 'HEAD', 'OPTIONS'].includes(m);

// Pages (GET outside /api, no bearer token) send an anonymous visitor to sign in instead of a
// bare 401: a 303 to /auth/refresh, which falls through to /login when there is no session.
const isPage = (route) => ['GET', 'HEAD'].includes(route.method) && !route.path.startsWith('/api/');
let lastLocation = '';

async function call(route, headers = {}) {
  const init = { method: route.method, headers: { ...headers }, redirect: 'manual' };
  if (isMutation(route.method)) {
    init.headers['content-type'] = 'application/json';
    init.body = '{}';
  }
  const r = await fetch(`${srv.url}${concrete(route.path)}`, init);
  await r.arrayBuffer();
  lastLocation = r.headers.get('location') || '';
  return r.status;
}

// A refusal by the role check itself (the router's problem), not a handler's own 403
// (e.g. a radiologist asking for another person's tallies).
async function deniedByRole(route, headers) {
  const r = await fetch(`${srv.url}${concrete(route.path)}`, { method: route.method, headers, redirect: 'manual' });
  const text = await r.text();
  return r.status === 401 || (r.status === 403 && /your role does not allow/.test(text));
}

test('the route list is the router and every route has a role on the ladder', () => {
  assert.ok(routes.length > 30);
  for (const r of routes) assert.ok(LADDER.includes(r.min_role), `${r.method} ${r.path}: ${r.min_role}`);
  const has = (m, p, role) => routes.some((r) => r.method === m && r.path === p && r.min_role === role);
  assert.ok(has('POST', '/auth/magic-link', 'PUBLIC'));
  assert.ok(has('GET', '/api/v1/me', 'RAD'));
  assert.ok(has('GET', '/admin/people', 'ADMIN'));
});

test('every route × every role: denied below the minimum, never denied at or above it (GET)', async () => {
  const failures = [];
  for (const route of routes) {
    const min = LADDER.indexOf(route.min_role);
    const anon = await call(route);
    const signInRedirect = isPage(route) && anon === 303 && lastLocation.startsWith('/auth/refresh?next=');
    if (min > 0 && anon !== 401 && !signInRedirect)
      failures.push(`${route.method} ${route.path} anonymous → ${anon}, want 401 (API) or a 303 to sign in (page)`);
    // public routes answer for themselves (POST /auth/refresh without a token is a 401 by design)
    if (min === 0 && anon === 403) failures.push(`${route.method} ${route.path} anonymous → ${anon}`);
    for (const role of LADDER.slice(1)) {
      const allowed = LADDER.indexOf(role) >= min;
      if (allowed && isMutation(route.method)) continue; // the handler would run: covered by the C matrix test
      const auth = { authorization: `Bearer ${tokens[role]}` };
      if (!allowed) {
        const st = await call(route, auth);
        if (st !== 403) failures.push(`${route.method} ${route.path} as ${role} → ${st}, want 403`);
      } else if (await deniedByRole(route, auth)) {
        failures.push(`${route.method} ${route.path} as ${role} → denied, want access`);
      }
    }
  }
  assert.deepEqual(failures, []);
});

test('every signed-in mutation refuses a session cookie without the CSRF token', async () => {
  const jar = await magicSignIn(srv, 'admin@lakeside.example');
  const failures = [];
  for (const route of routes.filter((r) => isMutation(r.method) && r.min_role !== 'PUBLIC' && r.min_role !== 'SUPER_ADMIN')) {
    const st = await call(route, { cookie: jar.header() });
    if (st !== 403) failures.push(`${route.method} ${route.path} → ${st}, want 403`);
  }
  assert.deepEqual(failures, []);
  assert.equal((await jar.fetch(`${srv.url}/api/v1/me`)).status, 200, 'the session itself is fine');
});

// The platform end to end: the real binary against a real PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startRadsched } from '../support/harness.mjs';

let srv;
before(async () => { srv = await startRadsched({ demo: true }); });
after(async () => { await srv?.stop(); });

test('healthz, readyz and metrics answer', async () => {
  const h = await fetch(srv.url + '/healthz');
  assert.equal(h.status, 200);
  assert.deepEqual(await h.json(), { status: 'ok' });
  // the in-process worker reports its heartbeat within a few seconds
  let ready;
  for (let i = 0; i < 50; i++) {
    ready = await fetch(srv.url + '/readyz');
    if (ready.status === 200) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(ready.status, 200);
  const body = await ready.json();
  assert.deepEqual(body.checks, { database: 'ok', migrations: 'ok', worker: 'ok' });
  const m = await (await fetch(srv.url + '/metrics')).text();
  assert.match(m, /# TYPE radsched_http_requests_total counter/);
  assert.match(m, /radsched_http_requests_total\{route="\/healthz",method="GET",status="200"\} 1/);
  assert.match(m, /# TYPE radsched_http_request_duration_seconds histogram/);
  assert.match(m, /radsched_jobs\{kind="[a-z._]+",state="[a-z]+"\} \d+/);
  assert.match(m, /# TYPE radsched_job_duration_seconds histogram/);
});

test('readyz fails with the failing check when no worker heartbeats', async () => {
  srv.sql("UPDATE workers SET heartbeat_at = now() - interval '10 minutes'");
  // the live worker beats again within lease/3 = 10 s; read readyz right away
  const r = await fetch(srv.url + '/readyz');
  if (r.status === 503) {
    const b = await r.json();
    assert.equal(b.status, 'fail');
    assert.match(b.checks.worker, /last heartbeat \d+ s ago/);
    assert.equal(b.checks.database, 'ok');
  } else {
    assert.equal(r.status, 200); // the worker beat in between: also correct
  }
});

test('unknown route is a 404 problem, wrong method a 405 with Allow', async () => {
  const r = await fetch(srv.url + '/no/such/thing');
  assert.equal(r.status, 404);
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
  const p = await r.json();
  assert.equal(p.type, 'https://radsched.dev/problems/not_found');
  assert.equal(p.status, 404);
  assert.ok(p.request_id);
  const m = await fetch(srv.url + '/healthz', { method: 'DELETE' });
  assert.equal(m.status, 405);
  assert.equal(m.headers.get('allow'), 'GET, HEAD');
  assert.equal((await m.json()).type, 'https://radsched.dev/problems/method_not_allowed');
});

test('request id and traceparent are accepted or generated and returned', async () => {
  const a = await fetch(srv.url + '/healthz', {
    headers: { 'X-Request-Id': 'abc-123', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
  });
  assert.equal(a.headers.get('x-request-id'), 'abc-123');
  const tp = a.headers.get('traceparent');
  assert.match(tp, /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  assert.notEqual(tp.split('-')[2], '00f067aa0ba902b7'); // a new server span
  const b = await fetch(srv.url + '/healthz', { headers: { 'X-Request-Id': 'bad id with spaces', traceparent: 'garbage' } });
  assert.match(b.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
  assert.match(b.headers.get('traceparent'), /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
});

// Raw HTTP/1.1 so the test controls exactly what is sent before the answer is read.
function rawRequest(url, head, bodyParts = []) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), hostname);
    const chunks = [];
    sock.on('connect', () => {
      sock.write(head);
      for (const p of bodyParts) sock.write(p);
    });
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', reject);
    sock.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    sock.setTimeout(20000, () => { sock.destroy(); reject(new Error('no answer in 20 s')); });
  });
}
const problemType = (raw) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).type;

test('oversize body is refused with 413 problem', async () => {
  const path = '/auth/magic-link';
  const head = (extra) => `POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
    `Content-Type: application/x-www-form-urlencoded\r\n${extra}\r\n`;
  // A declared length over the 1 MiB cap is answered before the body is read: with
  // Expect: 100-continue the client never has to send it.
  const declared = await rawRequest(srv.url, head('Content-Length: 2097152\r\nExpect: 100-continue\r\n'));
  assert.match(declared, /^HTTP\/1\.1 413 /);
  assert.doesNotMatch(declared, /100 Continue/);
  assert.equal(problemType(declared), 'https://radsched.dev/problems/too_large');
  // Without Expect the answer is the same, after the first part of the body.
  // (one write, so no unread bytes are left behind to turn the close into a reset)
  const early = await rawRequest(srv.url, head('Content-Length: 2097152\r\n') + 'email=' + 'x'.repeat(1000));
  assert.match(early, /^HTTP\/1\.1 413 /);
  // A chunked body has no declared length: it is cut at the cap and refused the same way.
  const chunk = 'x'.repeat(64 * 1024);
  const parts = [];
  for (let i = 0; i < 20; i++) parts.push(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
  parts.push('0\r\n\r\n');
  const chunked = await rawRequest(srv.url, head('Transfer-Encoding: chunked\r\n'), parts);
  assert.match(chunked, /^HTTP\/1\.1 413 /);
  assert.equal(problemType(chunked), 'https://radsched.dev/problems/too_large');
  // The server is unharmed and a body under the cap is still read.
  assert.equal((await fetch(srv.url + '/healthz')).status, 200);
});

test('home page and static files with caching headers', async () => {
  const r = await fetch(srv.url + '/');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/html/);
  assert.match(await r.text(), /Fair radiology schedules/);
  const css = await fetch(srv.url + '/static/app.css');
  assert.equal(css.status, 200);
  const etag = css.headers.get('etag');
  assert.ok(etag);
  assert.match(css.headers.get('cache-control'), /max-age=\d+/);
  const again = await fetch(srv.url + '/static/app.css', { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal((await fetch(srv.url + '/static/..%2f..%2fetc/passwd')).status, 404);
});

test('demo department seeded once, with audit rows from the seed', async () => {
  assert.equal(srv.sql("SELECT count(*) FROM tenants WHERE slug = 'demo'"), '1');
  assert.ok(Number(srv.sql('SELECT count(*) FROM users')) >= 24);
  assert.equal(srv.sql("SELECT count(*) FROM users WHERE email = 'admin@lakeside.example' AND role = 'ADMIN'"), '1');
  assert.equal(srv.sql("SELECT count(*) FROM users WHERE email = 'chief@lakeside.example' AND role = 'CHIEF'"), '1');
  assert.equal(srv.sql('SELECT config_version FROM tenants'), '1');
  assert.ok(Number(srv.sql("SELECT count(*) FROM audit_log WHERE entity = 'users' AND actor_kind = 'SYSTEM'")) >= 24);
});

test('graceful stop: SIGTERM exits 0 after in-flight requests', async () => {
  const inflight = fetch(srv.url + '/readyz');
  const res = await inflight;
  assert.ok(res.status === 200 || res.status === 503);
  const { code } = await srv.stop('SIGTERM');
  assert.equal(code, 0);
});

// Invitations and the people admin page through the real binary: invite → email →
// acceptance page (consumes nothing) → accept (joins with the invited role, signed in);
// reuse, withdrawal, domain restriction, duplicates; the JSON API; the admin guards;
// everything audited. Needs RADSCHED_TEST_PG (scripts/test.sh) and the built binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { apiTokenFor, startRadsched } from '../support/harness.mjs';
import { Jar, csrfOf, form, magicSignIn, mailsTo, waitForMail } from './auth_helpers.mjs';

let srv, admin, csrf;
before(async () => {
  srv = await startRadsched({ demo: true });
  admin = await magicSignIn(srv, 'admin@lakeside.example');
  csrf = await csrfOf(srv, admin);
});
after(async () => { await srv?.stop(); });

const url = (p) => `${srv.url}${p}`;
const inviteToken = (mail) => mail.match(/\/invite\/accept\?token=([A-Za-z0-9_-]{43})/)[1];
const invite = (fields) => admin.fetch(url('/admin/people/invite'), form({ _csrf: csrf, ...fields }));

test('invite → email → acceptance page → accept: joined as CHIEF and signed in; the link works once', async () => {
  const email = 'nora.chief@lakeside.example';
  const res = await invite({ email, name: 'Dr. Nora Chief', role: 'CHIEF' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/people?done=invited');
  const mail = await waitForMail(srv, email);
  assert.match(mail, /^Subject: Jordan Ellis invited you to join Lakeside Radiology/m);
  assert.match(mail, /as Chief/);
  assert.equal(srv.sql(`SELECT stream FROM email_messages WHERE to_email = '${email}'`), 'system');
  const token = inviteToken(mail);
  for (let i = 0; i < 2; i++) {
    const page = await fetch(url(`/invite/accept?token=${token}`));
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Jordan Ellis invited <strong>Dr\. Nora Chief<\/strong>/);
  }
  assert.equal(srv.sql(`SELECT count(*) FROM users WHERE email = '${email}'`), '0');
  const jar = new Jar();
  const acc = await jar.fetch(url('/invite/accept'), form({ token }));
  assert.equal(acc.status, 303);
  const me = await (await jar.fetch(url('/api/v1/me'))).json();
  assert.deepEqual([me.email, me.role, me.name], [email, 'CHIEF', 'Dr. Nora Chief']);
  assert.equal((await new Jar().fetch(url('/invite/accept'), form({ token }))).status, 410);
  assert.equal((await fetch(url(`/invite/accept?token=${token}`))).status, 410);
  assert.equal(srv.sql(`SELECT count(*) FROM users WHERE email = '${email}'`), '1');
  assert.equal(srv.sql("SELECT count(*) FROM audit_log WHERE entity = 'invitations' AND action = 'INSERT'"), '1');
  assert.equal(srv.sql("SELECT count(*) FROM audit_log WHERE action = 'invitation_accepted'"), '1');
  assert.equal(srv.sql("SELECT count(*) FROM audit_log WHERE entity = 'invitations' AND after ? 'token_hash'"), '0');
});

test('refusals: outside allowedDomains (restricted), existing member, bad role; nothing sent', async () => {
  let r = await invite({ email: 'someone@gmail.example', role: 'RAD' });
  assert.equal(r.status, 422);
  assert.match(await r.text(), /accepts only addresses at lakeside\.example/);
  r = await invite({ email: 'chief@lakeside.example', role: 'RAD' });
  assert.equal(r.status, 409);
  assert.match(await r.text(), /already a member/);
  r = await invite({ email: 'x@lakeside.example', role: 'SUPER_ADMIN' });
  assert.equal(r.status, 422);
  r = await invite({ email: 'not an address', role: 'RAD' });
  assert.equal(r.status, 422);
  assert.equal(srv.sql("SELECT count(*) FROM invitations WHERE email IN ('someone@gmail.example', 'x@lakeside.example')"), '0');
  assert.equal(mailsTo(srv, 'someone@gmail.example').length, 0);
});

test('a new invitation withdraws the older one; withdrawn invitations are refused', async () => {
  const email = 'twice@lakeside.example';
  await invite({ email, role: 'RAD' });
  const first = inviteToken(await waitForMail(srv, email));
  const seen = mailsTo(srv, email);
  await invite({ email, role: 'RAD', is_fellow: '1' });
  const second = inviteToken(await waitForMail(srv, email, seen));
  assert.notEqual(first, second);
  assert.equal((await fetch(url('/invite/accept'), form({ token: first }))).status, 410);
  const id = srv.sql(`SELECT id FROM invitations WHERE email = '${email}' AND revoked_at IS NULL`);
  assert.equal((await admin.fetch(url(`/admin/invitations/${id}/revoke`), form({ _csrf: csrf }))).status, 303);
  const gone = await fetch(url('/invite/accept'), form({ token: second }));
  assert.equal(gone.status, 410);
  assert.match(await gone.text(), /withdrawn/);
});

test('JSON API for automation: create, list, withdraw; strict bodies', async () => {
  const token = apiTokenFor(srv, 'admin@lakeside.example');
  const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  let r = await fetch(url('/api/v1/invitations'), { method: 'POST', headers: h, body: JSON.stringify({ email: 'api.person@lakeside.example', name: 'Dr. Api', role: 'RAD', is_fellow: true }) });
  assert.equal(r.status, 201);
  const { id } = await r.json();
  const list = await (await fetch(url('/api/v1/invitations'), { headers: h })).json();
  assert.ok(list.invitations.some((i) => i.id === id && i.is_fellow === true));
  r = await fetch(url('/api/v1/invitations'), { method: 'POST', headers: h, body: JSON.stringify({ email: 'a@lakeside.example', admin: true }) });
  assert.equal(r.status, 400);
  r = await fetch(url('/api/v1/invitations'), { method: 'POST', headers: h, body: JSON.stringify({ email: 'a@lakeside.example', role: 'KING' }) });
  assert.equal(r.status, 422);
  assert.equal((await r.json()).errors[0].pointer, '/role');
  r = await fetch(url('/api/v1/invitations'), { method: 'POST', headers: h, body: '{"email": "a@lakeside.example",' });
  assert.equal(r.status, 400);
  r = await fetch(url('/api/v1/invitations'), { method: 'POST', headers: { authorization: h.authorization }, body: 'email=a' });
  assert.equal(r.status, 415);
  // Idempotency-Key: a retried POST replays the answer and sends no second email
  const body = JSON.stringify({ email: 'retry.person@lakeside.example', role: 'RAD' });
  const k = { ...h, 'idempotency-key': 'invite-retry-1' };
  const a1 = await fetch(url('/api/v1/invitations'), { method: 'POST', headers: k, body });
  const a2 = await fetch(url('/api/v1/invitations'), { method: 'POST', headers: k, body });
  assert.equal(a1.status, 201);
  assert.equal(a2.status, 201);
  assert.equal(a2.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(await a2.json(), await a1.json());
  assert.equal(srv.sql("SELECT count(*) FROM invitations WHERE email = 'retry.person@lakeside.example'"), '1');
  assert.equal((await fetch(url(`/api/v1/invitations/${id}`), { method: 'DELETE', headers: h })).status, 204);
  assert.equal((await fetch(url(`/api/v1/invitations/${id}`), { method: 'DELETE', headers: h })).status, 404);
  // a radiologist may not invite
  const rad = apiTokenFor(srv, 'priya.raman@lakeside.example');
  r = await fetch(url('/api/v1/invitations'), { method: 'POST', headers: { ...h, authorization: `Bearer ${rad}` }, body: JSON.stringify({ email: 'b@lakeside.example' }) });
  assert.equal(r.status, 403);
});

test('people admin guards: not yourself, SUPER_ADMIN only by SUPER_ADMIN; PATCH access validates', async () => {
  const me = srv.sql("SELECT id FROM users WHERE email = 'admin@lakeside.example'");
  let r = await admin.fetch(url(`/admin/people/${me}/deactivate`), form({ _csrf: csrf }));
  assert.equal(r.status, 403);
  assert.match(await r.text(), /cannot change your own role/);
  const priya = srv.sql("SELECT id FROM users WHERE email = 'priya.raman@lakeside.example'");
  r = await admin.fetch(url(`/admin/people/${priya}/role`), form({ _csrf: csrf, role: 'SUPER_ADMIN' }));
  assert.equal(r.status, 403);
  r = await admin.fetch(url(`/admin/people/00000000-0000-4000-8000-000000000000/role`), form({ _csrf: csrf, role: 'RAD' }));
  assert.equal(r.status, 404);
  const token = apiTokenFor(srv, 'admin@lakeside.example');
  const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  r = await fetch(url(`/api/v1/people/${priya}/access`), { method: 'PATCH', headers: h, body: JSON.stringify({ role: 'CHIEF', is_fellow: true }) });
  assert.equal(r.status, 200);
  const p = await r.json();
  assert.deepEqual([p.role, p.is_fellow, p.active], ['CHIEF', true, true]);
  r = await fetch(url(`/api/v1/people/${priya}/access`), { method: 'PATCH', headers: h, body: JSON.stringify({ role: 'OWNER' }) });
  assert.equal(r.status, 422);
  r = await fetch(url(`/api/v1/people/${priya}/access`), { method: 'PATCH', headers: h, body: JSON.stringify({ active: 'no' }) });
  assert.equal(r.status, 422);
  r = await fetch(url(`/api/v1/people/${priya}/access`), { method: 'PATCH', headers: h, body: JSON.stringify({ password: 'x' }) });
  assert.equal(r.status, 400);
  assert.equal(srv.sql(`SELECT role FROM users WHERE id = '${priya}'`), 'CHIEF');
  // the page lists people and the open invitations, with forms carrying the CSRF token
  const html = await (await admin.fetch(url('/admin/people'))).text();
  assert.match(html, /priya\.raman@lakeside\.example/);
  assert.match(html, new RegExp(`name="_csrf" value="${csrf}"`));
});

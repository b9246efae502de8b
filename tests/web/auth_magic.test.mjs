// Magic links through the real binary: the request never reveals whether an address
// exists; the emailed link's GET consumes nothing, its POST signs in once; reuse, expiry
// and unknown tokens fail and change nothing; rate limits; per-tenant switch; domain
// enrolment; cross-site posts. Needs RADSCHED_TEST_PG (scripts/test.sh) and the binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startRadsched } from '../support/harness.mjs';
import { Jar, decodeQP, form, magicToken, mailCount, mailsTo, requestLink, waitForMail } from './auth_helpers.mjs';

let srv;
before(async () => { srv = await startRadsched({ demo: true }); });
after(async () => { await srv?.stop(); });

const sessions = () => Number(srv.sql('SELECT count(*) FROM auth_sessions'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('known, unknown and deactivated addresses get the same answer; only the known one gets mail', async () => {
  srv.sql("UPDATE users SET active = false WHERE email = 'kevin.obrien@lakeside.example'");
  const answers = [];
  for (const email of ['daniel.hughes@lakeside.example', 'nobody@nowhere.example', 'kevin.obrien@lakeside.example']) {
    const r = await requestLink(srv, email);
    answers.push([r.status, r.headers.get('location'), r.headers.get('content-type'), await r.text()]);
  }
  assert.equal(answers[0][0], 303);
  assert.equal(answers[0][1], '/login/sent');
  assert.deepEqual(answers[1], answers[0]);
  assert.deepEqual(answers[2], answers[0]);
  const mail = await waitForMail(srv, 'daniel.hughes@lakeside.example');
  assert.match(mail, /^Subject: Your sign-in link for Lakeside Radiology/m);
  assert.match(mail, /expires in 15 minutes/);
  await sleep(500);
  assert.equal(mailCount(srv, 'nobody@nowhere.example'), 0);
  assert.equal(mailCount(srv, 'kevin.obrien@lakeside.example'), 0);
  assert.equal(srv.sql("SELECT stream || ' ' || template FROM email_messages WHERE to_email = 'daniel.hughes@lakeside.example'"),
    'system magic_link');
  // stored hashed: the link's token is not in magic_links, its SHA-256 is
  const token = magicToken(mail);
  assert.equal(token.length, 43); // 256 bits
  const hash = createHash('sha256').update(token).digest('hex');
  assert.equal(srv.sql(`SELECT count(*) FROM magic_links WHERE token_hash = '${hash}'`), '1');
  assert.equal(srv.sql(`SELECT count(*) FROM magic_links WHERE token_hash = '${token}'`), '0');
  const page = await (await fetch(`${srv.url}/login/sent`)).text();
  assert.match(page, /If this address can sign in/);
});

test('GET shows a confirmation and consumes nothing; POST signs in once; reuse fails', async () => {
  const email = 'priya.raman@lakeside.example';
  const n = mailCount(srv, email);
  await requestLink(srv, email, { next: '/account' });
  const token = magicToken(await waitForMail(srv, email, n));
  const link = `${srv.url}/auth/magic?token=${token}`;
  for (let i = 0; i < 3; i++) { // scanners and previews may open it
    const r = await fetch(link);
    assert.equal(r.status, 200);
    const html = await r.text();
    assert.match(html, /Sign in to Lakeside Radiology/);
    assert.match(html, /<form method="post" action="\/auth\/magic">/);
    assert.equal(r.headers.get('set-cookie'), null);
  }
  assert.equal(srv.sql("SELECT count(*) FROM magic_links WHERE consumed_at IS NOT NULL AND email = 'priya.raman@lakeside.example'"), '0');
  const before = sessions();
  const jar = new Jar();
  const res = await jar.fetch(`${srv.url}/auth/magic`, form({ token }));
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/account');
  const cookies = res.headers.getSetCookie();
  const access = cookies.find((c) => c.startsWith('rs_session='));
  const refresh = cookies.find((c) => c.startsWith('rs_refresh='));
  assert.match(access, /; Path=\/; Max-Age=900; HttpOnly; SameSite=Lax$/);
  assert.match(refresh, /; Path=\/auth; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
  assert.equal(sessions(), before + 1);
  const me = await (await jar.fetch(`${srv.url}/api/v1/me`)).json();
  assert.deepEqual([me.email, me.role, me.tenant], [email, 'RAD', 'demo']);
  // reuse: refused, nothing new
  const again = await new Jar().fetch(`${srv.url}/auth/magic`, form({ token }));
  assert.equal(again.status, 410);
  assert.deepEqual(again.headers.getSetCookie(), []);
  assert.match(await again.text(), /already been used/);
  assert.equal((await fetch(link)).status, 410);
  assert.equal(sessions(), before + 1);
});

test('an expired link fails on GET and POST and changes nothing; unknown and malformed tokens fail', async () => {
  const email = 'elena.petrova@lakeside.example';
  const n = mailCount(srv, email);
  await requestLink(srv, email);
  const token = magicToken(await waitForMail(srv, email, n));
  srv.sql(`UPDATE magic_links SET expires_at = now() - interval '1 second' WHERE email = '${email}'`);
  const before = sessions();
  const get = await fetch(`${srv.url}/auth/magic?token=${token}`);
  assert.equal(get.status, 410);
  assert.match(await get.text(), /expired/);
  const post = await new Jar().fetch(`${srv.url}/auth/magic`, form({ token }));
  assert.equal(post.status, 410);
  assert.deepEqual(post.headers.getSetCookie(), []);
  assert.equal(srv.sql(`SELECT count(*) FROM magic_links WHERE email = '${email}' AND consumed_at IS NULL`), '1');
  for (const t of ['A'.repeat(43), 'short', '', "x' OR 1=1 --"]) {
    assert.equal((await fetch(`${srv.url}/auth/magic?token=${encodeURIComponent(t)}`)).status, 404);
    assert.equal((await fetch(`${srv.url}/auth/magic`, form({ token: t }))).status, 404);
  }
  assert.equal((await fetch(`${srv.url}/auth/magic`, form({}))).status, 404);
  assert.equal(sessions(), before);
});

test('bad addresses get the form again with 422; cross-site posts are refused', async () => {
  for (const email of ['', 'not-an-address', 'a@b', 'two@a.example,three@b.example', 'x'.repeat(300) + '@a.example']) {
    const r = await requestLink(srv, email);
    assert.equal(r.status, 422, email);
    assert.match(await r.text(), /email address/);
  }
  const r = await fetch(`${srv.url}/auth/magic-link`, {
    ...form({ email: 'samuel.lavoie@lakeside.example' }), redirect: 'manual', headers: {
      'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
  });
  assert.equal(r.status, 403);
  await sleep(300);
  assert.equal(mailCount(srv, 'samuel.lavoie@lakeside.example'), 0);
});

test('rate limits: the sixth request for an address in 15 minutes sends nothing, same answer; an IP over its limit too', async () => {
  const email = 'omar.haddad@lakeside.example';
  for (let i = 1; i <= 6; i++) {
    const r = await requestLink(srv, email);
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/login/sent');
  }
  await waitForMail(srv, email, 4);
  await sleep(800);
  assert.equal(mailCount(srv, email), 5);
  // the per-IP bucket (SHA-256 of the client address) at its limit of 50
  const ip = createHash('sha256').update('127.0.0.1').digest('hex');
  srv.sql(`UPDATE auth_rate_limits SET hits = 50 WHERE bucket = 'magic:ip:${ip}'`);
  const r = await requestLink(srv, 'grace.kim@lakeside.example');
  assert.equal(r.status, 303);
  await sleep(800);
  assert.equal(mailCount(srv, 'grace.kim@lakeside.example'), 0);
  srv.sql(`UPDATE auth_rate_limits SET hits = 0 WHERE bucket = 'magic:ip:${ip}'`);
});

test('a new address of an allowed domain is enrolled as RAD by its first magic link', async () => {
  const email = 'new.fellow@lakeside.example';
  await requestLink(srv, email);
  const token = magicToken(await waitForMail(srv, email));
  assert.equal(srv.sql(`SELECT count(*) FROM users WHERE email = '${email}'`), '0');
  const jar = new Jar();
  assert.equal((await jar.fetch(`${srv.url}/auth/magic`, form({ token }))).status, 303);
  const me = await (await jar.fetch(`${srv.url}/api/v1/me`)).json();
  assert.equal(me.role, 'RAD');
  assert.equal(srv.sql(`SELECT role FROM users WHERE email = '${email}'`), 'RAD');
});

test('a tenant with magic links off sends nothing (same answer)', async () => {
  srv.sql(`WITH t AS (SELECT id, config_version FROM tenants WHERE slug = 'demo'),
             v AS (INSERT INTO config_versions (tenant_id, number, parent_number, actor_kind, message, document)
                   SELECT cv.tenant_id, cv.number + 1, cv.number, 'SYSTEM', 'magic links off',
                          jsonb_set(cv.document, '{auth,magicLinkEnabled}', 'false')
                     FROM config_versions cv JOIN t ON cv.tenant_id = t.id AND cv.number = t.config_version RETURNING number)
           UPDATE tenants SET config_version = (SELECT number FROM v) WHERE slug = 'demo'`);
  const r = await requestLink(srv, 'aisha.mensah@lakeside.example');
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/login/sent');
  await sleep(800);
  assert.equal(mailCount(srv, 'aisha.mensah@lakeside.example'), 0);
  srv.sql(`UPDATE tenants SET config_version = config_version - 1 WHERE slug = 'demo'`);
});

test('radsched dev printed a working sign-in link for the demo admin', async () => {
  const m = srv.stdout().match(/Sign in as the demo admin[^:]*: (http:\/\/\S+)/);
  assert.ok(m, srv.stdout());
  const token = new URL(m[1]).searchParams.get('token');
  const jar = new Jar();
  assert.equal((await jar.fetch(`${srv.url}/auth/magic`, form({ token }))).status, 303);
  assert.equal((await (await jar.fetch(`${srv.url}/api/v1/me`)).json()).role, 'ADMIN');
});

test('an address in two departments gets one link per department; tenant narrows it to one', async () => {
  srv.sql(`SELECT tenant_create('riverside', 'Riverside Imaging', 'America/Toronto')`);
  srv.sql(`INSERT INTO users (tenant_id, email, name, role) SELECT id, 'chief@lakeside.example', 'Dr. Margaret Okafor', 'RAD'
             FROM tenants WHERE slug = 'riverside'`);
  const seen = mailsTo(srv, 'chief@lakeside.example');
  await requestLink(srv, 'chief@lakeside.example');
  await waitForMail(srv, 'chief@lakeside.example', seen);
  await sleep(800);
  const fresh = mailsTo(srv, 'chief@lakeside.example').filter((m) => !seen.includes(m)).map(decodeQP);
  assert.equal(fresh.length, 2);
  assert.ok(fresh.some((m) => /^Subject: Your sign-in link for Riverside Imaging/m.test(m)));
  assert.ok(fresh.some((m) => /^Subject: Your sign-in link for Lakeside Radiology/m.test(m)));
  const river = fresh.find((m) => /Riverside Imaging/.test(m));
  const jar = new Jar();
  assert.equal((await jar.fetch(`${srv.url}/auth/magic`, form({ token: magicToken(river) }))).status, 303);
  const me = await (await jar.fetch(`${srv.url}/api/v1/me`)).json();
  assert.deepEqual([me.tenant, me.role], ['riverside', 'RAD']);
  const seen2 = mailsTo(srv, 'chief@lakeside.example');
  await requestLink(srv, 'chief@lakeside.example', { tenant: 'riverside' });
  await waitForMail(srv, 'chief@lakeside.example', seen2);
  await sleep(800);
  const only = mailsTo(srv, 'chief@lakeside.example').filter((m) => !seen2.includes(m)).map(decodeQP);
  assert.equal(only.length, 1);
  assert.match(only[0], /Riverside Imaging/);
});

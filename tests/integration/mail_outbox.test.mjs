// mail_outbox.test.mjs — the email outbox end to end through the real binary: the admin test
// endpoint enqueues, the worker of `radsched dev` sends through the strict Postmark fake
// (tests/fakes/postmark.mjs), `radsched mail-replay` requeues, /metrics counts, the JSON log
// line of each send carries the message id, template and the request's correlation ids.
// node --test, with RADSCHED_TEST_PG (scripts/test.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startRadsched, apiTokenFor, root } from '../support/harness.mjs';

const bin = process.env.RADSCHED_BIN || join(root, 'build/radsched');
const ADMIN = 'admin@lakeside.example';
const FROM = 'Lakeside Radiology <scheduling@radsched.test>';

let pm, pmBase, srv, token;

async function startFake() {
  const child = spawn(process.execPath, [join(root, 'tests/fakes/postmark.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = await once(child.stdout, 'data');
  return { child, base: `http://127.0.0.1:${JSON.parse(String(line)).port}` };
}

const fake = {
  async call(method, path, body) {
    const r = await fetch(pmBase + path, { method, headers: { 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    assert.equal(r.status, 200, `fake ${path}`);
    return r.json();
  },
  reset: () => fake.call('POST', '/__fake/reset', {}),
  fault: (f) => fake.call('POST', '/__fake/fault', f),
  inactive: (address) => fake.call('POST', '/__fake/inactive', { address }),
  emails: async () => (await fake.call('GET', '/__fake/requests')).filter((r) => r.path === '/email'),
};

function serverEnv(extra = {}) {
  return {
    RADSCHED_MAIL_PROVIDER: 'postmark',
    RADSCHED_POSTMARK_URL: pmBase,
    RADSCHED_POSTMARK_TOKEN: 'test-token',
    RADSCHED_MAIL_FROM: FROM,
    RADSCHED_LOG_LEVEL: 'info',
    ...extra,
  };
}

// Poll fn until it returns a truthy value (at most ms); detail() explains a timeout.
async function waitFor(fn, what, ms = 30000, detail = () => '') {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const message = (s, id) => JSON.parse(s.sql(`SELECT row_to_json(m) FROM email_messages m WHERE id = '${id}'`) || 'null');
const waitStatus = (s, id, status) =>
  waitFor(() => { const m = message(s, id); return m && m.status === status && m; }, `message ${id} to be ${status}`);

function sendTest(s, template, key, { headers = {}, bearer = token } = {}) {
  return fetch(s.url + '/api/v1/admin/mail/test', {
    method: 'POST',
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json', ...(key ? { 'Idempotency-Key': key } : {}), ...headers },
    body: JSON.stringify({ template }),
  });
}

async function sendOk(s, template, key, opts) {
  const r = await sendTest(s, template, key, opts);
  const body = await r.json();
  assert.equal(r.status, 202, JSON.stringify(body));
  return { ...body, replayed: r.headers.get('idempotent-replayed') };
}

const key = () => 'k-' + randomBytes(8).toString('hex');

function replayCli(s, args) {
  const r = spawnSync(bin, ['mail-replay', ...args, '--data-dir', s.dataDir], {
    encoding: 'utf8',
    timeout: 30000,
    env: { ...process.env, RADSCHED_DATABASE_URL: s.db.app, RADSCHED_SHARE_DIR: root, RADSCHED_LOG_LEVEL: 'warn',
      RADSCHED_SECRET: 'test-secret-0123456789abcdef0123456789abcdef' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function logLines(s) {
  return s.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => { try { return JSON.parse(l); } catch { return null; } }).filter(Boolean);
}

before(async () => {
  pm = await startFake();
  pmBase = pm.base;
  srv = await startRadsched({ demo: true, env: serverEnv() });
  token = apiTokenFor(srv, ADMIN);
});

after(async () => {
  await srv?.stop();
  pm?.child.stdin.end();
});

test('a test email goes through Postmark with its stream, headers and correlation ids', async () => {
  await fake.reset();
  const trace = randomBytes(16).toString('hex');
  const requestId = 'mail-test-' + randomBytes(4).toString('hex');
  const sent = await sendOk(srv, 'magic_link', key(), {
    headers: { 'X-Request-Id': requestId, traceparent: `00-${trace}-${randomBytes(8).toString('hex')}-01` },
  });
  assert.equal(sent.template, 'magic_link');
  assert.equal(sent.stream, 'system');
  assert.equal(sent.to, ADMIN);
  assert.equal(sent.status, 'queued');
  assert.equal(sent.created, true);
  assert.equal(sent.replayed, null);
  const row = await waitStatus(srv, sent.id, 'sent');
  assert.equal(row.attempts, 1);
  assert.equal(row.provider, 'postmark');
  assert.equal(row.to_email, ADMIN);
  assert.match(row.provider_message_id, /^[0-9a-f-]{36}$/);
  assert.equal(row.payload.tenant.name, 'Lakeside Radiology');
  assert.equal(row.payload.recipient.email, ADMIN);

  const [req, ...more] = await fake.emails();
  assert.equal(more.length, 0);
  assert.equal(req.method, 'POST');
  assert.equal(req.headers['x-postmark-server-token'], 'test-token');
  assert.match(req.headers['content-type'], /^application\/json/);
  assert.equal(req.headers.accept, 'application/json');
  assert.equal(req.body.MessageStream, 'system');
  assert.equal(req.body.Tag, 'magic_link');
  assert.equal(req.body.From, FROM);
  assert.match(req.body.To, new RegExp(`<${ADMIN}>$|^${ADMIN}$`));
  assert.equal(req.body.Subject, row.subject);
  assert.deepEqual(req.body.Metadata, { rs_message_id: sent.id });
  assert.deepEqual(req.body.Headers, [{ Name: 'Auto-Submitted', Value: 'auto-generated' }]);
  assert.equal(req.body.TrackOpens, false);
  assert.equal(req.body.TrackLinks, 'None');
  assert.match(req.body.TextBody, /Lakeside Radiology/);
  assert.match(req.body.HtmlBody, /^<!doctype html>/i);

  // the send's log line: message id, template, and the ids of the request that enqueued it
  const line = await waitFor(() => logLines(srv).find((l) => l.message === 'mail sent' && l.message_id === sent.id), 'the mail sent log line');
  assert.equal(line.template, 'magic_link');
  assert.equal(line.stream, 'system');
  assert.equal(line.provider, 'postmark');
  assert.equal(line.provider_message_id, row.provider_message_id);
  assert.equal(line.request_id, requestId);
  assert.equal(line.trace_id, trace);
  assert.equal(line.job_kind, 'mail.send');
  assert.match(line.tenant_id, /^[0-9a-f-]{36}$/);
  assert.equal(line.to_domain, 'lakeside.example');
  assert.ok(!JSON.stringify(line).includes(ADMIN), 'no recipient address in the log line');

  // other templates go on their own stream
  const offer = await sendOk(srv, 'swap_offer', key());
  assert.equal(offer.stream, 'outbound');
  await waitStatus(srv, offer.id, 'sent');
  const vac = await sendOk(srv, 'vacation_window_open', key());
  assert.equal(vac.stream, 'broadcast');
  await waitStatus(srv, vac.id, 'sent');
  assert.deepEqual((await fake.emails()).map((r) => r.body.MessageStream), ['system', 'outbound', 'broadcast']);
});

test('Postmark failing twice with 500 then accepting: sent after 3 attempts', async () => {
  await fake.reset();
  await fake.fault({ status: 500, count: 2 });
  const sent = await sendOk(srv, 'draft_ready', key());
  const row = await waitStatus(srv, sent.id, 'sent');
  assert.equal(row.attempts, 3);
  assert.equal(row.last_error, null);
  assert.equal((await fake.emails()).length, 3);
  const job = JSON.parse(srv.sql(`SELECT row_to_json(j) FROM jobs j WHERE unique_key = 'mail:${sent.id}'`));
  assert.equal(job.state, 'completed');
  assert.equal(job.attempt, 3);
  assert.equal(job.errors.length, 2);
  assert.match(job.errors[0].error, /500/);
});

test('406 inactive recipient: suppressed, listed, and later messages suppressed without a provider call', async () => {
  await fake.reset();
  await fake.inactive(ADMIN);
  try {
    const first = await sendOk(srv, 'publication', key());
    const row = await waitStatus(srv, first.id, 'suppressed');
    assert.equal(row.attempts, 1);
    assert.match(row.last_error, /406/);
    assert.equal(srv.sql(`SELECT email FROM email_suppressions WHERE email = '${ADMIN}'`), ADMIN);
    assert.equal((await fake.emails()).length, 1);

    const second = await sendOk(srv, 'giveaway_accepted', key());
    const row2 = await waitStatus(srv, second.id, 'suppressed');
    assert.equal(row2.attempts, 0);
    assert.equal(row2.last_error, 'recipient is on the suppression list');
    assert.equal((await fake.emails()).length, 1, 'no provider call for a suppressed address');
  } finally {
    srv.sql(`DELETE FROM email_suppressions WHERE email = '${ADMIN}'`);
    await fake.reset();
  }
});

test('the same Idempotency-Key: one message, one provider request', async () => {
  await fake.reset();
  const k = key();
  const a = await sendOk(srv, 'invite', k);
  const b = await sendOk(srv, 'invite', k);
  assert.equal(b.id, a.id);
  assert.equal(a.created, true);
  assert.equal(b.created, false);
  assert.equal(b.replayed, 'true');
  // at once, from several connections
  const k2 = key();
  const all = await Promise.all([1, 2, 3, 4, 5].map(() => sendOk(srv, 'swap_declined', k2)));
  assert.equal(new Set(all.map((x) => x.id)).size, 1);
  assert.equal(all.filter((x) => x.created).length, 1);
  await waitStatus(srv, a.id, 'sent');
  await waitStatus(srv, all[0].id, 'sent');
  await new Promise((r) => setTimeout(r, 1500)); // a duplicate job would have run by now
  const emails = await fake.emails();
  assert.deepEqual(emails.map((r) => r.body.Tag).sort(), ['invite', 'swap_declined']);
  assert.equal(srv.sql(`SELECT count(*) FROM email_messages WHERE id IN ('${a.id}', '${all[0].id}')`), '2');
  assert.equal(srv.sql(`SELECT count(*) FROM jobs WHERE unique_key IN ('mail:${a.id}', 'mail:${all[0].id}')`), '2');
});

test('the test endpoint refuses bad requests and other roles', async () => {
  const post = (body, headers) => fetch(srv.url + '/api/v1/admin/mail/test', { method: 'POST', headers, body });
  const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  let r = await post('{"template":"invite"}', auth);
  assert.equal(r.status, 428);
  assert.match(r.headers.get('content-type'), /application\/problem\+json/);
  r = await post('{"template":"nope"}', { ...auth, 'Idempotency-Key': key() });
  assert.equal(r.status, 422);
  assert.equal((await r.json()).errors[0].pointer, '/template');
  r = await post('{"template":"invite","to":"someone@else.example"}', { ...auth, 'Idempotency-Key': key() });
  assert.equal(r.status, 400);
  assert.equal((await r.json()).errors[0].pointer, '/to');
  r = await post('{"template":"invite","template":"invite"}', { ...auth, 'Idempotency-Key': key() });
  assert.equal(r.status, 400);
  r = await post('template=invite', { ...auth, 'Content-Type': 'application/x-www-form-urlencoded', 'Idempotency-Key': key() });
  assert.equal(r.status, 415);
  r = await post('{"template":"invite"}', { ...auth, 'Idempotency-Key': 'has space' });
  assert.equal(r.status, 422);
  r = await post('{"template":"invite"}', { 'Content-Type': 'application/json', 'Idempotency-Key': key() });
  assert.equal(r.status, 401);
  const chief = apiTokenFor(srv, 'chief@lakeside.example');
  r = await sendTest(srv, 'invite', key(), { bearer: chief });
  assert.equal(r.status, 403);
});

test('mail-replay --status failed requeues only failed messages, and a second replay sends nothing', async () => {
  await fake.reset();
  const sentBefore = srv.sql("SELECT string_agg(id || ':' || attempts, ',' ORDER BY id) FROM email_messages WHERE status IN ('sent', 'suppressed')");
  await fake.fault({ status: 401, count: 2 }); // a bad token: failed, not retried
  const f1 = await sendOk(srv, 'payment_receipt', key());
  const f2 = await sendOk(srv, 'payment_failed', key());
  await waitStatus(srv, f1.id, 'failed');
  await waitStatus(srv, f2.id, 'failed');
  assert.equal((await fake.emails()).length, 2);

  const dry = replayCli(srv, ['--status', 'failed', '--dry-run']);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /^2 message\(s\) would be replayed/m);
  assert.match(dry.stdout, new RegExp(`would replay ${f1.id} .*template=payment_receipt`));
  assert.equal(message(srv, f1.id).status, 'failed');

  const only = replayCli(srv, ['--status', 'failed', '--template', 'payment_failed', '--since', '2020-01-01']);
  assert.equal(only.status, 0, only.stderr);
  assert.match(only.stdout, /^1 message\(s\) requeued/m);
  await waitStatus(srv, f2.id, 'sent');
  assert.equal(message(srv, f1.id).status, 'failed');

  const rest = replayCli(srv, ['--status', 'failed']);
  assert.equal(rest.status, 0, rest.stderr);
  assert.match(rest.stdout, /^1 message\(s\) requeued/m);
  const row = await waitStatus(srv, f1.id, 'sent');
  assert.equal(row.attempts, 2);

  const again = replayCli(srv, ['--status', 'failed']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /^0 message\(s\) requeued/m);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await fake.emails()).length, 4, 'two failed calls, then each message once');
  // what was sent or suppressed before was not touched
  const sentAfter = srv.sql(`SELECT string_agg(id || ':' || attempts, ',' ORDER BY id) FROM email_messages
                             WHERE status IN ('sent', 'suppressed') AND id NOT IN ('${f1.id}', '${f2.id}')`);
  assert.equal(sentAfter, sentBefore);
  assert.equal(srv.sql(`SELECT count(*) FROM audit_log WHERE action = 'email.replay' AND entity_id IN ('${f1.id}', '${f2.id}')`), '2');
});

test('mail-replay refuses bad arguments with one line naming the flag', () => {
  const cases = [
    [['--status', 'sent'], /--status: must be failed, sending or queued/],
    [[], /--status/],
    [['--status', 'failed', '--template', 'nope'], /--template/],
    [['--status', 'failed', '--since', 'yesterday-ish'], /--since/],
    [['--status', 'sending', '--older-than', '0'], /--older-than/],
    [['--status', 'failed', '--older-than', '5'], /--older-than/],
  ];
  for (const [args, re] of cases) {
    const r = replayCli(srv, args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('/metrics counts emails by template, stream and status', async () => {
  const text = await (await fetch(srv.url + '/metrics')).text();
  const value = (series) => {
    const line = text.split('\n').find((l) => l.startsWith(series + ' '));
    return line ? Number(line.split(' ')[1]) : 0;
  };
  assert.match(text, /# TYPE radsched_emails_total counter/);
  assert.ok(value('radsched_emails_total{template="magic_link",stream="system",status="sent"}') >= 1);
  assert.equal(value('radsched_emails_total{template="draft_ready",stream="outbound",status="retry"}'), 2);
  assert.equal(value('radsched_emails_total{template="draft_ready",stream="outbound",status="sent"}'), 1);
  assert.equal(value('radsched_emails_total{template="publication",stream="outbound",status="suppressed"}'), 1);
  assert.equal(value('radsched_emails_total{template="giveaway_accepted",stream="outbound",status="suppressed"}'), 1);
  assert.equal(value('radsched_emails_total{template="payment_receipt",stream="outbound",status="failed"}'), 1);
  assert.equal(value('radsched_emails_total{template="payment_receipt",stream="outbound",status="sent"}'), 1);
  assert.match(text, /radsched_mail_provider_seconds_count\{provider="postmark",outcome="sent"\} \d+/);
  // the outbox as a whole, from the database at scrape time
  assert.equal(value('radsched_emails{status="sent"}'), Number(srv.sql("SELECT count(*) FROM email_messages WHERE status = 'sent'")));
  assert.equal(value('radsched_emails{status="suppressed"}'), 2);
  assert.equal(value('radsched_emails_stuck{status="sending"}'), 0);
});

test('a message left in sending by a killed worker is never resent automatically', async () => {
  await fake.reset();
  const s = await startRadsched({ demo: true, env: serverEnv() });
  let worker;
  try {
    const t = apiTokenFor(s, ADMIN);
    await fake.fault({ hang: true }); // the provider takes the request and never answers
    const m = await sendOk(s, 'swap_accepted', key(), { bearer: t });
    await waitFor(async () => (await fake.emails()).length === 1, 'the provider call');
    const row = await waitStatus(s, m.id, 'sending');
    assert.equal(row.attempts, 1);
    await s.stop('SIGKILL'); // dies between the provider call and the record
    await fake.reset();

    // another worker takes over the job once its lease has run out
    worker = spawn(bin, ['worker', '--data-dir', s.dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...serverEnv(), RADSCHED_DATABASE_URL: s.db.app, RADSCHED_SHARE_DIR: root,
        RADSCHED_SECRET: 'test-secret-0123456789abcdef0123456789abcdef' },
    });
    let werr = '', wout = '';
    worker.stderr.on('data', (d) => (werr += d));
    worker.stdout.on('data', (d) => (wout += d));
    const why = () => `job: ${s.sql(`SELECT row_to_json(j) FROM jobs j WHERE unique_key = 'mail:${m.id}'`)}\n` +
      `message: ${JSON.stringify(message(s, m.id))}\nworker: ${wout}\n${werr}`;
    await waitFor(() => /worker running/.test(wout), 'the worker to start', 30000, why);
    assert.match(s.sql(`UPDATE jobs SET locked_until = now() - interval '1 second' WHERE unique_key = 'mail:${m.id}'
                        AND state = 'running' RETURNING id`), /^\d+$/, why());
    await waitFor(() => s.sql(`SELECT state || ':' || attempt FROM jobs WHERE unique_key = 'mail:${m.id}'`) === 'completed:2',
      'the rescued job to complete', 60000, why);
    const warned = await waitFor(() => werr.split('\n').find((l) => l.includes('mail left in sending')), 'the warning', 30000, why);
    assert.equal(JSON.parse(warned).message_id, m.id);
    const after = message(s, m.id);
    assert.equal(after.status, 'sending');
    assert.equal(after.attempts, 1);
    assert.equal((await fake.emails()).length, 0, 'not resent');

    // the operator checked the provider and replays it
    const young = replayCli(s, ['--status', 'sending', '--older-than', '5']);
    assert.match(young.stdout, /^0 message\(s\) requeued/m);
    s.sql(`UPDATE email_messages SET sending_at = now() - interval '10 minutes' WHERE id = '${m.id}'`);
    const r = replayCli(s, ['--status', 'sending', '--older-than', '5']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^1 message\(s\) requeued/m);
    const sent = await waitStatus(s, m.id, 'sent');
    assert.equal(sent.attempts, 2);
    assert.equal((await fake.emails()).length, 1);
  } finally {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await once(worker, 'exit');
    }
    await s.stop();
  }
});

test('the admin page and the HTML preview need an admin', async () => {
  const get = (path, bearer) =>
    fetch(srv.url + path, { headers: bearer ? { Authorization: `Bearer ${bearer}` } : {}, redirect: 'manual' });
  const chief = apiTokenFor(srv, 'chief@lakeside.example');
  const anon = await get('/admin/mail'); // a page: anonymous visitors are sent to sign in
  assert.equal(anon.status, 303);
  assert.match(anon.headers.get('location'), /^\/auth\/refresh\?next=/);
  assert.equal((await get('/admin/mail', chief)).status, 403);
  assert.equal((await get('/admin/mail/invite/html', chief)).status, 403);
  const page = await get('/admin/mail', token);
  assert.equal(page.status, 200);
  const html = await page.text();
  for (const t of ['invite', 'magic_link', 'publication', 'payment_failed'])
    assert.match(html, new RegExp(`id="template-${t}"`));
  assert.match(html, /<iframe class="mail-html" sandbox src="\/admin\/mail\/invite\/html"/);
  assert.match(html, /data-status="sent"/);

  const preview = await get('/admin/mail/invite/html', token);
  assert.equal(preview.status, 200);
  const csp = preview.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /frame-ancestors 'self'/);
  assert.match(csp, /\bsandbox\b/);
  assert.doesNotMatch(csp, /script-src/);
  const body = await preview.text();
  assert.match(body, /Lakeside Radiology/);
  assert.doesNotMatch(body, /lakeside\.example\/brand\/logo/, 'the sample logo is not the tenant\'s');
  assert.equal((await get('/admin/mail/nope/html', token)).status, 404);
  assert.equal((await get('/admin/mail/..%2Fetc/html', token)).status, 404);
});

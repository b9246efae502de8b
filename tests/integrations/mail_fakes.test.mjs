// mail_fakes.test.mjs — the strict Postmark and SendGrid fakes refuse what the real services
// refuse (so the C provider tests against them mean something). node --test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function startFake(name) {
	const child = spawn(process.execPath, [path.join(root, 'tests/fakes', name)], { stdio: ['pipe', 'pipe', 'inherit'] });
	const [line] = await once(child.stdout, 'data');
	return { child, base: `http://127.0.0.1:${JSON.parse(String(line)).port}` };
}

let pm, sg;
before(async () => { pm = await startFake('postmark.mjs'); sg = await startFake('sendgrid.mjs'); });
after(() => { pm.child.stdin.end(); sg.child.stdin.end(); });

const PM_HEADERS = { Accept: 'application/json', 'Content-Type': 'application/json', 'X-Postmark-Server-Token': 'test-token' };
const goodPm = { From: 'Radsched <noreply@radsched.test>', To: 'zoe@hospital.test', Subject: 'Hi', TextBody: 'x', MessageStream: 'outbound' };

async function pmPost(pathname, body, headers = PM_HEADERS) {
	const r = await fetch(pm.base + pathname, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
	return { status: r.status, body: await r.json().catch(() => null) };
}

test('postmark: a well-formed message is accepted with a MessageID', async () => {
	const r = await pmPost('/email', goodPm);
	assert.equal(r.status, 200);
	assert.equal(r.body.ErrorCode, 0);
	assert.match(r.body.MessageID, /^[0-9a-f-]{36}$/);
});

test('postmark: authentication and media types', async () => {
	const { 'X-Postmark-Server-Token': _t, ...noToken } = PM_HEADERS;
	assert.deepEqual((await pmPost('/email', goodPm, noToken)).body.ErrorCode, 10);
	assert.equal((await pmPost('/email', goodPm, { ...PM_HEADERS, 'X-Postmark-Server-Token': 'nope' })).status, 401);
	assert.equal((await pmPost('/email', goodPm, { ...PM_HEADERS, 'Content-Type': 'text/plain' })).status, 415);
	assert.equal((await pmPost('/email', '{bad json')).body.ErrorCode, 402);
});

test('postmark: message rules', async () => {
	const cases = [
		[{ ...goodPm, From: '' }, 300],
		[{ ...goodPm, To: '' }, 300],
		[{ ...goodPm, To: 'not-an-address' }, 300],
		[{ ...goodPm, To: 'Doe, Jane <jane@x.test>' }, 300],       // specials in a name must be quoted
		[{ ...goodPm, TextBody: undefined }, 300],                // no body at all
		[{ ...goodPm, MessageStream: 'newsletters' }, 1235],
		[{ ...goodPm, Htmlbody: '<p>typo</p>' }, 403],            // unknown field
		[{ ...goodPm, TrackLinks: 'Always' }, 403],
		[{ ...goodPm, Metadata: { k: 1 } }, 403],
	];
	for (const [msg, code] of cases) {
		const r = await pmPost('/email', msg);
		assert.equal(r.status, 422, JSON.stringify(msg));
		assert.equal(r.body.ErrorCode, code, JSON.stringify(msg));
	}
	assert.equal((await pmPost('/email', { ...goodPm, To: '"Doe, Jane" <jane@x.test>' })).status, 200);
});

test('postmark: batch results per message and the 500 cap', async () => {
	const r = await pmPost('/email/batch', [goodPm, { ...goodPm, To: 'bad' }]);
	assert.equal(r.status, 200);
	assert.deepEqual(r.body.map((x) => x.ErrorCode), [0, 300]);
	const big = await pmPost('/email/batch', Array(501).fill(goodPm));
	assert.equal(big.body.ErrorCode, 410);
});

const SG_HEADERS = { Accept: 'application/json', 'Content-Type': 'application/json', Authorization: 'Bearer SG.test-key' };
const goodSg = {
	personalizations: [{ to: [{ email: 'zoe@hospital.test', name: 'Zoë' }] }],
	from: { email: 'noreply@radsched.test', name: 'Radsched' },
	subject: 'Hi',
	content: [{ type: 'text/plain', value: 'x' }, { type: 'text/html', value: '<p>x</p>' }],
};

async function sgPost(body, headers = SG_HEADERS) {
	const r = await fetch(sg.base + '/v3/mail/send', { method: 'POST', headers, body: JSON.stringify(body) });
	const text = await r.text();
	return { status: r.status, id: r.headers.get('x-message-id'), body: text ? JSON.parse(text) : null };
}

test('sendgrid: 202 with X-Message-Id', async () => {
	const r = await sgPost(goodSg);
	assert.equal(r.status, 202);
	assert.equal(r.body, null);
	assert.match(r.id, /^[A-Za-z0-9_-]{22}$/);
});

test('sendgrid: authentication', async () => {
	assert.equal((await sgPost(goodSg, { ...SG_HEADERS, Authorization: 'Bearer SG.wrong' })).status, 401);
	assert.equal((await sgPost(goodSg, { ...SG_HEADERS, Authorization: 'SG.test-key' })).status, 401);
});

test('sendgrid: validation errors name their field', async () => {
	const cases = [
		[{ ...goodSg, personalizations: [] }, 'personalizations'],
		[{ ...goodSg, personalizations: [{ to: [{ email: 'nope' }] }] }, 'personalizations.0.to.0.email'],
		[{ ...goodSg, from: undefined }, 'from'],
		[{ ...goodSg, subject: undefined }, 'subject'],
		[{ ...goodSg, content: [{ type: 'text/html', value: '<p>x</p>' }, { type: 'text/plain', value: 'x' }] }, 'content'],
		[{ ...goodSg, content: [{ type: 'text/plain', value: '' }] }, 'content.0.value'],
		[{ ...goodSg, headers: { Subject: 'x' } }, 'headers'],
		[{ ...goodSg, categories: Array.from({ length: 11 }, (_, i) => `c${i}`) }, 'categories'],
		[{ ...goodSg, unknown_field: 1 }, 'unknown_field'],
	];
	for (const [msg, field] of cases) {
		const r = await sgPost(JSON.parse(JSON.stringify(msg)));
		assert.equal(r.status, 400, field);
		assert.ok(r.body.errors.some((e) => e.field === field), `${field}: ${JSON.stringify(r.body)}`);
	}
});

test('sendgrid: scripted 429 carries X-RateLimit-Reset', async () => {
	await fetch(sg.base + '/__fake/fault', { method: 'POST', body: JSON.stringify({ status: 429, resetIn: 5 }) });
	const r = await fetch(sg.base + '/v3/mail/send', { method: 'POST', headers: SG_HEADERS, body: JSON.stringify(goodSg) });
	assert.equal(r.status, 429);
	const reset = Number(r.headers.get('x-ratelimit-reset'));
	assert.ok(reset >= Math.floor(Date.now() / 1000) + 3);
});

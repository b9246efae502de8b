// tests/fakes/postmark.mjs — a strict local fake of Postmark's email API (POST /email, POST
// /email/batch), built from Postmark's documented requests, responses and error codes.
//
//   node tests/fakes/postmark.mjs      → listens on 127.0.0.1:<ephemeral>, prints {"port":N}
//
// It exits when its stdin closes (the test that started it died or finished).
// Environment: POSTMARK_FAKE_TOKENS   accepted server tokens, comma-separated (default
//              "test-token"; "POSTMARK_API_TEST" is always accepted, as by Postmark)
//              POSTMARK_FAKE_STREAMS  message streams of the fake server (default
//                                     "outbound,broadcast,system")
//              POSTMARK_FAKE_INACTIVE inactive recipient addresses, comma-separated
//
// What it enforces (what Postmark enforces, plus a refusal of unknown fields so a typo in
// our field names cannot pass unnoticed):
//   Accept: application/json, Content-Type: application/json, X-Postmark-Server-Token;
//   JSON body: an object for /email, an array of at most 500 objects for /email/batch;
//   From, To (≤ 50 recipients, each "addr" or "Name <addr>", names with specials quoted),
//   Subject (string), HtmlBody and/or TextBody, MessageStream (must exist), Tag, ReplyTo,
//   Headers [{Name, Value}], Metadata {string: string}, TrackOpens (bool),
//   TrackLinks (None | HtmlAndText | HtmlOnly | TextOnly).
//
// Control endpoints (not Postmark's):
//   POST /__fake/fault    {"status":500|429|422|401|503, "errorCode":406, "count":N,
//                          "retryAfter":S, "hang":true}  → the next N API requests fail so
//   POST /__fake/inactive {"address":"x@y"}              → mark a recipient inactive
//   GET  /__fake/requests                                 → requests received, as JSON
//   POST /__fake/reset                                    → forget requests and faults
//   GET  /__fake/blob?bytes=N                             → N bytes of 'x' (client caps)
//   ANY  /__fake/echo?status=S&retry_after=V              → status S, the method, headers
//                                                           and body as JSON, Retry-After: V
import http from 'node:http';
import { randomUUID } from 'node:crypto';

const tokens = new Set((process.env.POSTMARK_FAKE_TOKENS || 'test-token').split(',').filter(Boolean));
tokens.add('POSTMARK_API_TEST');
const streams = new Set((process.env.POSTMARK_FAKE_STREAMS || 'outbound,broadcast,system').split(','));
const initialInactive = (process.env.POSTMARK_FAKE_INACTIVE || '').split(',').filter(Boolean).map((a) => a.toLowerCase());
let inactive = new Set(initialInactive);

let requests = [];
let faults = [];

const KNOWN_FIELDS = new Set(['From', 'To', 'Cc', 'Bcc', 'Subject', 'Tag', 'HtmlBody', 'TextBody', 'ReplyTo',
	'Headers', 'TrackOpens', 'TrackLinks', 'Metadata', 'Attachments', 'MessageStream']);
const TRACK_LINKS = new Set(['None', 'HtmlAndText', 'HtmlOnly', 'TextOnly']);
// Postmark's documented address checks
const MAILBOX_RE = /^[a-z0-9.!#$%&'`*+\-/=^_{}|~]+$/i;
const DOMAIN_RE = /^((\.)?[a-zA-Z0-9-])+$/;

function send(res, status, body, headers = {}) {
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	res.writeHead(status, {
		'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json',
		'Content-Length': Buffer.byteLength(text),
		...headers,
	});
	res.end(text);
}

const apiError = (code, message) => ({ ErrorCode: code, Message: message });

// Split "a@x, \"Doe, J\" <b@y>" into addresses; returns null when the syntax is broken.
function parseAddressList(value) {
	const out = [];
	let cur = '', quoted = false, angle = false;
	for (let i = 0; i < value.length; i++) {
		const c = value[i];
		if (c === '\\' && quoted) { cur += c + (value[++i] ?? ''); continue; }
		if (c === '"') quoted = !quoted;
		else if (c === '<' && !quoted) angle = true;
		else if (c === '>' && !quoted) angle = false;
		if (c === ',' && !quoted && !angle) { out.push(cur.trim()); cur = ''; continue; }
		cur += c;
	}
	if (quoted || angle) return null;
	if (cur.trim()) out.push(cur.trim());
	return out;
}

function addrSpecOf(entry) {
	const m = /^(?:(.*?)\s*)?<([^<>]*)>$/.exec(entry);
	if (!m) return { name: '', spec: entry };
	return { name: m[1] || '', spec: m[2] };
}

function validAddress(entry) {
	const { name, spec } = addrSpecOf(entry);
	if (name && !name.startsWith('"') && /[()<>\[\]:;@\\,."]/.test(name)) return false; // specials must be quoted
	if (name.startsWith('"') && !(name.length >= 2 && name.endsWith('"'))) return false;
	const at = spec.lastIndexOf('@');
	if (at <= 0) return false;
	return MAILBOX_RE.test(spec.slice(0, at)) && DOMAIN_RE.test(spec.slice(at + 1));
}

// Validate one message object; returns [httpStatus, body] for an error or null.
function checkMessage(msg) {
	if (msg === null || typeof msg !== 'object' || Array.isArray(msg))
		return [422, apiError(403, 'Incompatible JSON: a message must be a JSON object.')];
	for (const k of Object.keys(msg))
		if (!KNOWN_FIELDS.has(k)) return [422, apiError(403, `Incompatible JSON: unknown field '${k}'.`)];
	for (const k of ['From', 'To', 'Cc', 'Bcc', 'Subject', 'Tag', 'HtmlBody', 'TextBody', 'ReplyTo', 'MessageStream'])
		if (k in msg && typeof msg[k] !== 'string')
			return [422, apiError(403, `Incompatible JSON: '${k}' must be a string.`)];
	if (!msg.From || !validAddress(msg.From.trim()))
		return [422, apiError(300, `Invalid 'From' address: '${msg.From ?? ''}'.`)];
	const recipients = [];
	for (const k of ['To', 'Cc', 'Bcc']) {
		if (!msg[k]) continue;
		const list = parseAddressList(msg[k]);
		if (!list) return [422, apiError(300, `Invalid '${k}' address: '${msg[k]}'.`)];
		for (const a of list) {
			if (!validAddress(a)) return [422, apiError(300, `Invalid '${k}' address: '${a}'.`)];
			recipients.push(addrSpecOf(a).spec.toLowerCase());
		}
	}
	if (recipients.length === 0) return [422, apiError(300, 'Zero recipients specified')];
	if (recipients.length > 50) return [422, apiError(300, 'Maximum of 50 recipients allowed per email message')];
	if (msg.ReplyTo && !(parseAddressList(msg.ReplyTo) || [null]).every((a) => a && validAddress(a)))
		return [422, apiError(300, `Invalid 'ReplyTo' address: '${msg.ReplyTo}'.`)];
	if (!msg.HtmlBody && !msg.TextBody)
		return [422, apiError(300, 'Provide either email TextBody or HtmlBody or both.')];
	if ('TrackOpens' in msg && typeof msg.TrackOpens !== 'boolean')
		return [422, apiError(403, "Incompatible JSON: 'TrackOpens' must be a boolean.")];
	if ('TrackLinks' in msg && !TRACK_LINKS.has(msg.TrackLinks))
		return [422, apiError(403, "Incompatible JSON: 'TrackLinks' must be None, HtmlAndText, HtmlOnly or TextOnly.")];
	if ('Headers' in msg) {
		if (!Array.isArray(msg.Headers) ||
			!msg.Headers.every((h) => h && typeof h.Name === 'string' && typeof h.Value === 'string' &&
				Object.keys(h).length === 2 && !/[\r\n:]/.test(h.Name) && !/[\r\n]/.test(h.Value)))
			return [422, apiError(403, "Incompatible JSON: 'Headers' must be [{\"Name\":…,\"Value\":…}].")];
	}
	if ('Metadata' in msg) {
		const md = msg.Metadata;
		if (!md || typeof md !== 'object' || Array.isArray(md) || Object.keys(md).length > 10 ||
			!Object.entries(md).every(([k, v]) => k.length <= 20 && typeof v === 'string' && v.length <= 80))
			return [422, apiError(403, 'Incompatible JSON: Metadata is at most 10 string fields (keys ≤ 20, values ≤ 80 characters).')];
	}
	if (msg.Tag && msg.Tag.length > 1000) return [422, apiError(300, 'Tag is over 1000 characters.')];
	const stream = msg.MessageStream || 'outbound';
	if (!streams.has(stream))
		return [422, apiError(1235, `The message stream '${stream}' was not found on this server.`)];
	const dead = recipients.filter((a) => inactive.has(a));
	if (dead.length)
		return [422, apiError(406, `You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: ${dead.join(', ')}. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.`)];
	return null;
}

function accepted(msg) {
	return { To: msg.To, SubmittedAt: new Date().toISOString(), MessageID: randomUUID(), ErrorCode: 0, Message: 'OK' };
}

// A scripted fault for this request, or null.
function takeFault() {
	const f = faults[0];
	if (!f) return null;
	if (--f.count <= 0) faults.shift();
	return f;
}

function applyFault(f, res) {
	if (f.hang) return; // never answer: the client's timeout fires
	const headers = f.retryAfter !== undefined ? { 'Retry-After': String(f.retryAfter) } : {};
	switch (f.status) {
	case 401:
		return send(res, 401, apiError(10, 'The Server Token you provided in the X-Postmark-Server-Token header was invalid. Please verify that you are using a valid token.'), headers);
	case 422:
		return send(res, 422, apiError(f.errorCode ?? 406, f.errorCode && f.errorCode !== 406 ? 'Scripted error.' :
			'You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: scripted@example.org. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.'), headers);
	case 429:
		return send(res, 429, apiError(429, 'Rate limit exceeded.'), headers);
	default: // 500, 503: Postmark's own failures are not always JSON
		return send(res, f.status || 500, f.status === 503 ? 'Service Unavailable' : 'Internal Server Error', headers);
	}
}

function handleApi(req, res, raw) {
	const headers = req.headers;
	// Authentication comes first, as with Postmark: 401 without looking at the body.
	const token = headers['x-postmark-server-token'];
	if (!token) return send(res, 401, apiError(10, 'No Account or Server API tokens were supplied in the HTTP headers. Please add a header for either X-Postmark-Server-Token or X-Postmark-Account-Token.'));
	if (!tokens.has(token)) return send(res, 401, apiError(10, 'The Server Token you provided in the X-Postmark-Server-Token header was invalid. Please verify that you are using a valid token.'));
	if (!/^application\/json\b/i.test(headers['content-type'] || ''))
		return send(res, 415, apiError(409, 'JSON required: send Content-Type: application/json.'));
	if (!/application\/json|\*\/\*/i.test(headers.accept || ''))
		return send(res, 406, apiError(409, 'Missing Accept: application/json header.'));
	let body;
	try { body = JSON.parse(raw); } catch { return send(res, 422, apiError(402, 'Invalid JSON')); }
	const f = takeFault();
	if (f) return applyFault(f, res);
	if (req.url === '/email') {
		const err = checkMessage(body);
		if (err) return send(res, err[0], err[1]);
		return send(res, 200, accepted(body));
	}
	// /email/batch
	if (!Array.isArray(body)) return send(res, 422, apiError(403, 'Incompatible JSON: the batch must be a JSON array.'));
	if (body.length > 500) return send(res, 422, apiError(410, 'Too many batch messages: at most 500 per request.'));
	return send(res, 200, body.map((m) => { const err = checkMessage(m); return err ? err[1] : accepted(m); }));
}

function handleControl(req, res, raw, url) {
	const route = `${req.method} ${url.pathname}`;
	if (route === 'GET /__fake/requests') return send(res, 200, requests.filter((r) => !r.path.startsWith('/__fake/')));
	if (route === 'POST /__fake/reset') { requests = []; faults = []; inactive = new Set(initialInactive); return send(res, 200, { ok: true }); }
	if (route === 'POST /__fake/fault') {
		const f = JSON.parse(raw || '{}');
		faults.push({ count: 1, ...f });
		return send(res, 200, { ok: true, queued: faults.length });
	}
	if (route === 'POST /__fake/inactive') { inactive.add(String(JSON.parse(raw).address).toLowerCase()); return send(res, 200, { ok: true }); }
	if (route === 'GET /__fake/blob') return send(res, 200, 'x'.repeat(Number(url.searchParams.get('bytes') || 0)));
	if (url.pathname === '/__fake/echo') { // any method
		const extra = url.searchParams.has('retry_after') ? { 'Retry-After': url.searchParams.get('retry_after') } : {};
		return send(res, Number(url.searchParams.get('status') || 200), { method: req.method, headers: req.headers, body: raw }, extra);
	}
	return send(res, 404, { error: 'unknown control route' });
}

const server = http.createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		const raw = Buffer.concat(chunks).toString('utf8');
		const url = new URL(req.url, 'http://127.0.0.1');
		let parsed = raw;
		try { parsed = JSON.parse(raw); } catch { /* keep the text */ }
		requests.push({ method: req.method, path: url.pathname, headers: req.headers, body: parsed });
		if (url.pathname.startsWith('/__fake/')) return handleControl(req, res, raw, url);
		if (url.pathname !== '/email' && url.pathname !== '/email/batch')
			return send(res, 404, apiError(0, 'Not found.'));
		if (req.method !== 'POST') return send(res, 405, apiError(0, 'Method not allowed.'));
		handleApi(req, res, raw);
	});
});

server.listen(0, '127.0.0.1', () => {
	process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));

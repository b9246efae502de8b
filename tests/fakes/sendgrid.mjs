// tests/fakes/sendgrid.mjs — a strict local fake of SendGrid's v3 Mail Send API
// (POST /v3/mail/send), built from SendGrid's documented requests, validation errors and
// statuses.
//
//   node tests/fakes/sendgrid.mjs      → listens on 127.0.0.1:<ephemeral>, prints {"port":N}
//
// It exits when its stdin closes. Environment: SENDGRID_FAKE_KEYS accepted API keys,
// comma-separated (default "SG.test-key").
//
// What it enforces: Authorization: Bearer <key>; Content-Type and Accept application/json;
// a JSON object with only documented top-level fields; personalizations (1..1000, each with
// a non-empty `to` of {email[, name]} with valid, unique addresses; ≤ 1000 recipients);
// from {email[, name]}; reply_to; subject (unless a template or every personalization has
// one); content (unless a template): non-empty values, text/plain first, then text/html, no
// duplicate types; categories (≤ 10 unique strings of ≤ 255); custom_args (string values);
// headers (string values, reserved names refused); tracking_settings shape. Errors come back
// as 400 {"errors":[{"message","field","help"}]}, all of them at once, as SendGrid does.
// Success is 202 with an empty body and an X-Message-Id header.
//
// Control endpoints (not SendGrid's):
//   POST /__fake/fault  {"status":500|503|429|401|403|400|413, "count":N, "resetIn":S,
//                        "field":"personalizations.0.to.0.email", "message":"…", "hang":true}
//   GET  /__fake/requests, POST /__fake/reset  (as in postmark.mjs)
import http from 'node:http';
import { randomBytes } from 'node:crypto';

const keys = new Set((process.env.SENDGRID_FAKE_KEYS || 'SG.test-key').split(',').filter(Boolean));
let requests = [];
let faults = [];

const TOP_FIELDS = new Set(['personalizations', 'from', 'reply_to', 'reply_to_list', 'subject', 'content',
	'attachments', 'template_id', 'headers', 'categories', 'custom_args', 'send_at', 'batch_id', 'asm',
	'ip_pool_name', 'mail_settings', 'tracking_settings']);
const P_FIELDS = new Set(['to', 'cc', 'bcc', 'from', 'subject', 'headers', 'substitutions',
	'dynamic_template_data', 'custom_args', 'send_at']);
const RESERVED_HEADERS = new Set(['x-sg-id', 'x-sg-eid', 'received', 'dkim-signature', 'content-type',
	'content-transfer-encoding', 'to', 'from', 'subject', 'reply-to', 'cc', 'bcc']);
const TRACKING = new Set(['click_tracking', 'open_tracking', 'subscription_tracking', 'ganalytics']);
const EMAIL_RE = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

function send(res, status, body, headers = {}) {
	const text = body === '' ? '' : JSON.stringify(body);
	res.writeHead(status, { ...(text ? { 'Content-Type': 'application/json' } : {}), 'Content-Length': Buffer.byteLength(text), ...headers });
	res.end(text);
}

const errors = (list) => ({ errors: list.map(([message, field]) => ({ message, field: field ?? null, help: null })) });
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function checkEmailObj(o, field, errs, what) {
	if (!isObj(o) || typeof o.email !== 'string') { errs.push([`The ${what} object must have an email parameter.`, field]); return null; }
	for (const k of Object.keys(o)) if (k !== 'email' && k !== 'name') errs.push([`Unknown field '${k}'.`, `${field}.${k}`]);
	if ('name' in o && typeof o.name !== 'string') errs.push(['The name must be a string.', `${field}.name`]);
	if (!EMAIL_RE.test(o.email)) { errs.push(['Does not contain a valid address.', `${field}.email`]); return null; }
	return o.email.toLowerCase();
}

function validate(b) {
	const errs = [];
	if (!isObj(b)) return [['The request body must be a JSON object.', null]];
	for (const k of Object.keys(b)) if (!TOP_FIELDS.has(k)) errs.push([`Unknown field '${k}'.`, k]);
	const ps = b.personalizations;
	let total = 0, everyHasSubject = true;
	if (!Array.isArray(ps) || ps.length === 0) {
		errs.push(['The personalizations field is required and must have at least one personalization.', 'personalizations']);
	} else if (ps.length > 1000) {
		errs.push([`The personalization block is limited to 1000 personalizations per API request. You have provided ${ps.length} personalizations.`, 'personalizations']);
	} else {
		ps.forEach((p, i) => {
			const f = `personalizations.${i}`;
			if (!isObj(p)) { errs.push(['A personalization must be an object.', f]); return; }
			for (const k of Object.keys(p)) if (!P_FIELDS.has(k)) errs.push([`Unknown field '${k}'.`, `${f}.${k}`]);
			if (!Array.isArray(p.to) || p.to.length === 0)
				errs.push(['The to array is required for all personalization objects, and must have at least one email object with a valid email address.', `${f}.to`]);
			const seen = new Set();
			for (const kind of ['to', 'cc', 'bcc']) {
				if (!(kind in p)) continue;
				if (!Array.isArray(p[kind])) { errs.push([`The ${kind} field must be an array.`, `${f}.${kind}`]); continue; }
				p[kind].forEach((o, j) => {
					const e = checkEmailObj(o, `${f}.${kind}.${j}`, errs, kind);
					total++;
					if (e && seen.has(e)) errs.push([`Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [${e}] in the ${f}.${kind} field.`, f]);
					if (e) seen.add(e);
				});
			}
			if (typeof p.subject !== 'string' || !p.subject) everyHasSubject = false;
			if ('custom_args' in p && !(isObj(p.custom_args) && Object.values(p.custom_args).every((v) => typeof v === 'string')))
				errs.push(['custom_args values must be strings.', `${f}.custom_args`]);
		});
		if (total > 1000) errs.push(['There is a limit of 1000 total recipients (to + cc + bcc) per request.', 'personalizations']);
	}
	if (!('from' in b)) errs.push(['The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.', 'from']);
	else checkEmailObj(b.from, 'from', errs, 'from');
	if ('reply_to' in b) checkEmailObj(b.reply_to, 'reply_to', errs, 'reply_to');
	const template = typeof b.template_id === 'string' && b.template_id;
	if ('subject' in b && (typeof b.subject !== 'string' || !b.subject))
		errs.push(['The subject must be a string at least one character in length.', 'subject']);
	else if (!('subject' in b) && !template && !everyHasSubject)
		errs.push(['The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.', 'subject']);
	if (!('content' in b)) {
		if (!template) errs.push(['Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.', 'content']);
	} else if (!Array.isArray(b.content) || b.content.length === 0) {
		errs.push(['The content field must be an array with at least one content block.', 'content']);
	} else {
		const types = [];
		b.content.forEach((c, i) => {
			if (!isObj(c) || typeof c.type !== 'string' || !c.type) { errs.push(['The content type must be a string at least one character in length.', `content.${i}.type`]); return; }
			if (typeof c.value !== 'string' || c.value.length < 1) errs.push(['The content value must be a string at least one character in length.', `content.${i}.value`]);
			for (const k of Object.keys(c)) if (k !== 'type' && k !== 'value') errs.push([`Unknown field '${k}'.`, `content.${i}.${k}`]);
			if (types.includes(c.type)) errs.push([`Duplicate content type ${c.type}.`, `content.${i}.type`]);
			types.push(c.type);
		});
		const plain = types.indexOf('text/plain'), html = types.indexOf('text/html');
		if (plain > 0 || (plain === 0 && html >= 0 && html !== 1) || (plain < 0 && html > 0))
			errs.push(['If present, text/plain and text/html may only be provided in this order: text/plain, text/html, followed by any other content.', 'content']);
	}
	if ('categories' in b) {
		const c = b.categories;
		if (!Array.isArray(c) || !c.every((x) => typeof x === 'string')) errs.push(['Categories must be strings.', 'categories']);
		else {
			if (c.length > 10) errs.push(['Too many categories. You may add up to 10 categories per message.', 'categories']);
			if (c.some((x) => x.length > 255)) errs.push(['A category cannot have more than 255 characters.', 'categories']);
			if (new Set(c).size !== c.length) errs.push(['Categories must be unique.', 'categories']);
		}
	}
	if ('custom_args' in b && !(isObj(b.custom_args) && Object.values(b.custom_args).every((v) => typeof v === 'string')))
		errs.push(['custom_args values must be strings.', 'custom_args']);
	if ('headers' in b) {
		if (!isObj(b.headers) || !Object.values(b.headers).every((v) => typeof v === 'string'))
			errs.push(['headers must be an object of strings.', 'headers']);
		else for (const h of Object.keys(b.headers)) {
			if (RESERVED_HEADERS.has(h.toLowerCase())) errs.push([`The following header is reserved and cannot be set by the user: ${h}.`, 'headers']);
			if (/[\r\n:]/.test(h) || /[\r\n]/.test(b.headers[h])) errs.push(['Invalid header.', 'headers']);
		}
	}
	if ('tracking_settings' in b) {
		const t = b.tracking_settings;
		if (!isObj(t)) errs.push(['tracking_settings must be an object.', 'tracking_settings']);
		else for (const [k, v] of Object.entries(t)) {
			if (!TRACKING.has(k)) errs.push([`Unknown tracking setting '${k}'.`, `tracking_settings.${k}`]);
			else if (!isObj(v) || !Object.values(v).every((x) => typeof x === 'boolean' || typeof x === 'string'))
				errs.push(['Tracking settings take boolean flags.', `tracking_settings.${k}`]);
		}
	}
	return errs;
}

function takeFault() {
	const f = faults[0];
	if (!f) return null;
	if (--f.count <= 0) faults.shift();
	return f;
}

function applyFault(f, res) {
	if (f.hang) return;
	switch (f.status) {
	case 401: return send(res, 401, errors([['The provided authorization grant is invalid, expired, or revoked', null]]));
	case 403: return send(res, 403, errors([['The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved.', 'from']]));
	case 400: return send(res, 400, errors([[f.message || 'Does not contain a valid address.', f.field || 'personalizations.0.to.0.email']]));
	case 413: return send(res, 413, errors([['Payload Too Large', null]]));
	case 429: {
		const reset = Math.floor(Date.now() / 1000) + (f.resetIn ?? 60);
		return send(res, 429, errors([['too many requests', null]]), { 'X-RateLimit-Limit': '600', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset) });
	}
	default: return send(res, f.status || 500, errors([['Internal server error', null]]));
	}
}

function handleApi(req, res, raw) {
	const auth = req.headers.authorization || '';
	if (!auth) return send(res, 401, errors([['authorization required', null]]));
	const m = /^Bearer (.+)$/.exec(auth);
	if (!m || !keys.has(m[1])) return send(res, 401, errors([['The provided authorization grant is invalid, expired, or revoked', null]]));
	if (!/^application\/json\b/i.test(req.headers['content-type'] || ''))
		return send(res, 415, errors([['Content-Type should be application/json.', null]]));
	if (!/application\/json|\*\/\*/i.test(req.headers.accept || ''))
		return send(res, 406, errors([['Missing Accept header. For example: Accept: application/json', null]]));
	let body;
	try { body = JSON.parse(raw); } catch { return send(res, 400, errors([['Bad Request', null]])); }
	const f = takeFault();
	if (f) return applyFault(f, res);
	const errs = validate(body);
	if (errs.length) return send(res, 400, errors(errs));
	send(res, 202, '', { 'X-Message-Id': randomBytes(16).toString('base64url').slice(0, 22) });
}

function handleControl(req, res, raw, url) {
	const route = `${req.method} ${url.pathname}`;
	if (route === 'GET /__fake/requests') return send(res, 200, requests.filter((r) => !r.path.startsWith('/__fake/')));
	if (route === 'POST /__fake/reset') { requests = []; faults = []; return send(res, 200, { ok: true }); }
	if (route === 'POST /__fake/fault') { faults.push({ count: 1, ...JSON.parse(raw || '{}') }); return send(res, 200, { ok: true }); }
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
		if (url.pathname !== '/v3/mail/send') return send(res, 404, errors([['not found', null]]));
		if (req.method !== 'POST') return send(res, 405, errors([['method not allowed', null]]));
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

// auth_helpers.mjs — sign-in helpers for Node tests: read the outbox (quoted-printable
// .eml files of the `file` mail provider), sign in with a magic link, send forms the
// way a browser does.
import { Jar } from './oidc_peer.mjs';

export { Jar };

export function decodeQP(text) {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

// The To: header of a mail to this address ("Name" <a@b> or a bare a@b).
const toHeader = (to) => new RegExp(`^To:\\s*(.*<)?${to.replace(/[.+]/g, '\\$&')}>?\\s*$`, 'mi');

export const mailsTo = (srv, to) => srv.outbox(toHeader(to));
export const mailCount = (srv, to) => mailsTo(srv, to).length;

// Wait for an email to `to` that is not among `seen` (what mailsTo gave before; a count
// works when nothing else is sending to that address). Returns it decoded.
export async function waitForMail(srv, to, seen = [], timeoutMs = 15000) {
  const old = new Set(Array.isArray(seen) ? seen : []);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = mailsTo(srv, to);
    const fresh = Array.isArray(seen) ? mails.filter((m) => !old.has(m)) : mails.length > seen ? mails : [];
    if (fresh.length) return decodeQP(fresh.at(-1));
    if (Date.now() > deadline) throw new Error(`no new email to ${to} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function magicToken(mail) {
  const m = mail.match(/\/auth\/magic\?token=([A-Za-z0-9_-]{43})/);
  if (!m) throw new Error('no magic link in the email');
  return m[1];
}

export const form = (fields) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

export async function requestLink(srv, email, extra = {}) {
  return fetch(`${srv.url}/auth/magic-link`, { ...form({ email, ...extra }), redirect: 'manual' });
}

// Request a link, take it from the outbox, press the button: a signed-in jar.
export async function magicSignIn(srv, email) {
  const before = mailsTo(srv, email);
  const r = await requestLink(srv, email);
  if (r.status !== 303) throw new Error(`magic-link request: ${r.status}`);
  const token = magicToken(await waitForMail(srv, email, before));
  const jar = new Jar();
  const res = await jar.fetch(`${srv.url}/auth/magic`, form({ token }));
  if (res.status !== 303) throw new Error(`confirm: ${res.status} ${await res.text()}`);
  return jar;
}

// The CSRF token of a signed-in jar, read from a page that has forms.
export async function csrfOf(srv, jar) {
  const html = await (await jar.fetch(`${srv.url}/account`)).text();
  const m = html.match(/name="_csrf" value="([^"]+)"/);
  if (!m) throw new Error('no CSRF token on /account');
  return m[1];
}

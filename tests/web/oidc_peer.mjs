// oidc_peer.mjs — a real OpenID Provider (npm oidc-provider) on loopback, configured like
// Google: code flow, PKCE, RS256 ID tokens carrying email, email_verified, hd and name.
//
//   const op = await startOidcPeer();                 // listening; issuer op.issuer
//   const srv = await startRadsched({ demo: true, env: op.env });
//   op.register(srv.url);                             // the client's redirect URI, now known
//   op.accounts.set('alice', { email, email_verified: true, hd, name });
//   const res = await ssoSignIn(srv, op, 'alice');    // the whole flow; radsched's last answer
//   op.tamper = 'wrong_aud';                          // forge the next ID tokens (see TAMPER)
//   await op.stop();
//
// Forgeries are made at the token endpoint's answer (a post-middleware), so everything
// else is the real provider: authorization, login interaction, code, PKCE check.
import { createHmac, createPublicKey } from 'node:crypto';
import { createServer } from 'node:http';
import * as jose from 'jose';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'radsched-test';
export const CLIENT_SECRET = 'radsched-test-secret-0123456789abcdef';

const b64 = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

export async function startOidcPeer() {
  const k1 = await jose.generateKeyPair('RS256', { extractable: true });
  const k2 = await jose.generateKeyPair('RS256', { extractable: true });
  const k3 = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk1 = { ...(await jose.exportJWK(k1.privateKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const pub = async (k, kid) => ({ ...(await jose.exportJWK(k.publicKey)), kid, alg: 'RS256', use: 'sig' });
  const pub2 = await pub(k2, 'k2');
  const pem1 = createPublicKey(await jose.exportSPKI(k1.publicKey)).export({ type: 'spki', format: 'pem' });

  const peer = {
    accounts: new Map(),
    next: null,        // account id the next login interaction signs in
    tamper: null,      // null | wrong_aud | expired | bad_signature | hs256 | none | rotate | unknown_kid | unverified
    rotated: false,    // JWKS also publishes k2
    jwksFetches: 0,
    tokenRequests: [],
  };
  let provider = null;

  const resign = async (payload, key, kid) =>
    new jose.SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(key);

  async function forge(idToken) {
    const [h, p, s] = idToken.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const now = Math.floor(Date.now() / 1000);
    switch (peer.tamper) {
      case 'wrong_aud': return resign({ ...payload, aud: 'someone-else' }, k1.privateKey, 'k1');
      case 'expired': return resign({ ...payload, iat: now - 7200, exp: now - 3600 }, k1.privateKey, 'k1');
      case 'unverified': return resign({ ...payload, email_verified: false }, k1.privateKey, 'k1');
      case 'bad_signature': {
        const sig = Buffer.from(s, 'base64url');
        sig[10] ^= 0x01;
        return `${h}.${p}.${sig.toString('base64url')}`;
      }
      case 'hs256': { // alg confusion: HMAC keyed with the RSA public key (PEM)
        const head = b64({ alg: 'HS256', typ: 'JWT', kid: 'k1' });
        const mac = createHmac('sha256', pem1).update(`${head}.${p}`).digest('base64url');
        return `${head}.${p}.${mac}`;
      }
      case 'none': return `${b64({ alg: 'none', typ: 'JWT', kid: 'k1' })}.${p}.`;
      case 'rotate': peer.rotated = true; return resign(payload, k2.privateKey, 'k2');
      case 'unknown_kid': return resign(payload, k3.privateKey, 'k3');
      default: return idToken;
    }
  }

  async function interaction(req, res) {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      if (!peer.next || !peer.accounts.has(peer.next)) throw new Error(`oidc peer: no account to log in (${peer.next})`);
      await provider.interactionFinished(req, res, { login: { accountId: peer.next } }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    grant.addOIDCScope('openid email profile');
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  }

  const server = createServer((req, res) => {
    if (!provider) { res.statusCode = 503; res.end('not ready'); return; }
    if (req.url.startsWith('/interaction/')) {
      interaction(req, res).catch((e) => { res.statusCode = 500; res.end(String(e)); });
      return;
    }
    provider.callback()(req, res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${server.address().port}`;

  peer.issuer = issuer;
  peer.env = {
    RADSCHED_OIDC_ISSUER: issuer,
    RADSCHED_OIDC_CLIENT_ID: CLIENT_ID,
    RADSCHED_OIDC_CLIENT_SECRET: CLIENT_SECRET,
    RADSCHED_OIDC_JWKS_MIN_REFRESH: '1',
  };
  peer.register = (radschedUrl) => {
    provider = new Provider(issuer, {
      clients: [{
        client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [`${radschedUrl}/auth/oidc/callback`],
        response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_basic',
      }],
      jwks: { keys: [jwk1] },
      claims: { openid: ['sub'], email: ['email', 'email_verified', 'hd'], profile: ['name', 'given_name', 'family_name'] },
      conformIdTokenClaims: false, // like Google: the scope's claims are in the ID token
      features: { devInteractions: { enabled: false } },
      interactions: { url: (ctx, i) => `/interaction/${i.uid}` },
      pkce: { required: () => true },
      cookies: { keys: ['oidc-peer-cookie-key-0123456789'] },
      ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
      async findAccount(ctx, sub) {
        const a = peer.accounts.get(sub);
        return a && { accountId: sub, claims: async () => ({ sub, ...a }) };
      },
      async loadExistingGrant(ctx) { // first-party client: no consent screen
        const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
        if (grantId) return ctx.oidc.provider.Grant.find(grantId);
        const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
        grant.addOIDCScope('openid email profile');
        await grant.save();
        return grant;
      },
    });
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.path === '/token' && ctx.method === 'POST') {
        peer.tokenRequests.push({ authorization: ctx.get('authorization') });
        if (ctx.status === 200 && ctx.body?.id_token && peer.tamper) ctx.body = { ...ctx.body, id_token: await forge(ctx.body.id_token) };
      }
      if (ctx.path === '/jwks') {
        peer.jwksFetches++;
        if (peer.rotated && ctx.body?.keys) ctx.body = { keys: [...ctx.body.keys, pub2] };
      }
    });
  };
  peer.stop = () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); });
  return peer;
}

// A tiny cookie jar around fetch (no redirects followed; cookies by name, any path).
export class Jar {
  constructor() { this.cookies = new Map(); }
  header() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
  store(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim(), value = pair.slice(i + 1).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  async fetch(url, init = {}) {
    const headers = { ...(init.headers || {}) };
    if (this.cookies.size) headers.cookie = this.header();
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(res);
    return res;
  }
}

// The whole single sign-on flow as a browser would do it; returns radsched's answer to
// the callback (303 with cookies on success) and the radsched jar.
export async function ssoSignIn(srv, peer, account, { query = '' } = {}) {
  peer.next = account;
  const rs = new Jar(), op = new Jar();
  let res = await rs.fetch(`${srv.url}/auth/oidc/start${query}`);
  if (res.status !== 303) throw new Error(`start: ${res.status} ${await res.text()}`);
  let url = res.headers.get('location');
  for (let i = 0; i < 12 && !url.startsWith(srv.url); i++) {
    res = await op.fetch(url);
    const loc = res.headers.get('location');
    if (!loc) throw new Error(`provider stopped at ${url}: ${res.status} ${await res.text()}`);
    url = new URL(loc, url).href;
  }
  const start = new URL(url);
  const callback = await rs.fetch(url);
  return { res: callback, jar: rs, callbackUrl: start };
}

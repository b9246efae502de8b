// Tokens made by a real peer (jose, the JOSE library under oidc-provider) for the C
// verifier: valid ID tokens and the forgeries it must refuse. Used by jwt_peer.test.mjs
// with fresh keys, and run directly to regenerate the committed fixture:
//   node tests/crypto/jwt_peer_cases.mjs > tests/crypto/fixtures/jose_tokens.json
import {
  SignJWT, UnsecuredJWT, base64url, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8,
} from 'jose';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';

export const ISS = 'https://idp.example.test';
export const CLIENT = 'radsched-client';
export const NONCE = 'peer-nonce-3f9a';

export async function makeCases(now = 1700000000) {
  const a = await generateKeyPair('RS256', { extractable: true });
  const b = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(a.publicKey)), kid: 'peer-a', use: 'sig', alg: 'RS256' };
  const claims = {
    iss: ISS, aud: CLIENT, sub: 'peer-sub-1', nonce: NONCE,
    email: 'rad@example.test', email_verified: true, iat: now - 5, exp: now + 600,
  };
  const sign = (alg, key, kid, extra = {}) =>
    new SignJWT({ ...claims, ...extra }).setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(key);
  const pem = new TextEncoder().encode(await exportSPKI(a.publicKey));
  // WebCrypto binds a key to one algorithm: the same RSA key re-imported for PS256 / RS384
  const pkcs8 = await exportPKCS8(a.privateKey);
  const aPS256 = await importPKCS8(pkcs8, 'PS256');
  const aRS384 = await importPKCS8(pkcs8, 'RS384');
  const cases = [
    { name: 'valid RS256', want: 'ok', token: await sign('RS256', a.privateKey, 'peer-a') },
    { name: 'aud array with azp', want: 'ok',
      token: await sign('RS256', a.privateKey, 'peer-a', { aud: [CLIENT, 'other'], azp: CLIENT }) },
    { name: 'expired', want: 'unauthorized', path: '/exp',
      token: await sign('RS256', a.privateKey, 'peer-a', { exp: now - 120, iat: now - 700 }) },
    { name: 'iat in the future', want: 'unauthorized', path: '/iat',
      token: await sign('RS256', a.privateKey, 'peer-a', { iat: now + 300 }) },
    { name: 'wrong audience', want: 'unauthorized', path: '/aud',
      token: await sign('RS256', a.privateKey, 'peer-a', { aud: 'someone-else' }) },
    { name: 'wrong issuer', want: 'unauthorized', path: '/iss',
      token: await sign('RS256', a.privateKey, 'peer-a', { iss: 'https://evil.example.test' }) },
    { name: 'nonce mismatch', want: 'unauthorized', path: '/nonce',
      token: await sign('RS256', a.privateKey, 'peer-a', { nonce: 'other' }) },
    { name: 'email not verified', want: 'unauthorized', path: '/email_verified',
      token: await sign('RS256', a.privateKey, 'peer-a', { email_verified: false }) },
    { name: 'signed by another key', want: 'unauthorized', path: '',
      token: await sign('RS256', b.privateKey, 'peer-a') },
    { name: 'unknown kid', want: 'not_found', path: '/kid', token: await sign('RS256', b.privateKey, 'peer-b') },
    { name: 'alg none', want: 'unauthorized', path: '/alg',
      token: new UnsecuredJWT(claims).encode() },
    { name: 'HS256 keyed with the RSA public key (alg confusion)', want: 'unauthorized', path: '/alg',
      token: await sign('HS256', pem, 'peer-a') },
    { name: 'PS256 with the right key', want: 'unauthorized', path: '/alg',
      token: await sign('PS256', aPS256, 'peer-a') },
    { name: 'RS384 with the right key', want: 'unauthorized', path: '/alg',
      token: await sign('RS384', aRS384, 'peer-a') },
  ];
  return {
    now, issuer: ISS, client_id: CLIENT, nonce: NONCE,
    jwks: { keys: [jwk, { kty: 'EC', crv: 'P-256', kid: 'ec', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] },
    hs256_key: base64url.encode(randomBytes(32)),
    cases,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify(await makeCases(), null, 1)}\n`);
}

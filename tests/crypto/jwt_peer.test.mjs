// Real peer for src/crypto's JWT code: jose (npm, under oidc-provider) signs fresh ID
// tokens and forgeries; the C verifier (Check binary test_jwt_peer) must answer as each
// case says. The other way, jose verifies an HS256 session token made by our C code.
// Needs the built binary: <build>/tests/crypto/test_jwt_peer (build dir from
// RADSCHED_TEST_BUILD, default "build"); skipped when it is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { base64url, jwtVerify } from 'jose';
import { makeCases } from './jwt_peer_cases.mjs';

const root = process.env.RADSCHED_ROOT || resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, process.env.RADSCHED_TEST_BUILD || 'build', 'tests/crypto/test_jwt_peer');

test('C verifier agrees with jose-made tokens; jose accepts our HS256', { skip: !existsSync(bin) && `${bin} not built` }, async () => {
  const now = Math.floor(Date.now() / 1000);
  const fixture = await makeCases(now);
  const dir = mkdtempSync(join(tmpdir(), 'radsched-jwt-peer-'));
  try {
    const casesPath = join(dir, 'cases.json');
    const outPath = join(dir, 'hs256.jwt');
    writeFileSync(casesPath, JSON.stringify(fixture));
    const r = spawnSync(bin, [], {
      cwd: root,
      env: { ...process.env, RADSCHED_ROOT: root, RADSCHED_JWT_PEER_CASES: casesPath, RADSCHED_JWT_PEER_OUT: outPath },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, `test_jwt_peer failed:\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /100%: Checks: 2, Failures: 0, Errors: 0/);

    const token = readFileSync(outPath, 'utf8');
    const key = base64url.decode(fixture.hs256_key);
    const { payload, protectedHeader } = await jwtVerify(token, key, { algorithms: ['HS256'], currentDate: new Date(now * 1000) });
    assert.deepEqual(protectedHeader, { alg: 'HS256', typ: 'JWT' });
    assert.equal(payload.sub, 'c-peer');
    assert.equal(payload.exp, now + 600);
    // and jose refuses it under another key, like we would
    await assert.rejects(jwtVerify(token, new Uint8Array(32), { algorithms: ['HS256'] }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

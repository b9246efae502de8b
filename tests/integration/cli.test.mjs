// Commands and configuration errors: one line naming the option, exit status 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from '../support/harness.mjs';

const bin = process.env.RADSCHED_BIN || join(root, 'build/radsched');
const run = (args, env = {}) => spawnSync(bin, args, { encoding: 'utf8', env: { ...process.env, ...env } });

test('help lists every command and option with its default', () => {
  const r = run(['help']);
  assert.equal(r.status, 0);
  for (const c of ['dev', 'serve', 'worker', 'migrate', 'version', 'help']) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
  for (const o of ['--database-url', '--data-dir', '--listen', '--base-url', '--secret', '--concurrency'])
    assert.match(r.stdout, new RegExp(`${o}\\s+RADSCHED_`));
  assert.match(r.stdout, /RADSCHED_LISTEN\s+default: 127\.0\.0\.1:8080/);
  assert.match(r.stdout, /RADSCHED_DATA_DIR\s+default: \.\/var/);
});

test('version', () => {
  const r = run(['version']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^radsched \d+\.\d+\.\d+/);
});

test('invalid configuration: one line naming the option, exit 2', () => {
  const cases = [
    [['serve', '--listen', 'nonsense'], /--listen: expected HOST:PORT/],
    [['serve', '--listen', '127.0.0.1:99999'], /--listen/],
    [['serve', '--concurrency', '0'], /--concurrency: expected a whole number from 1 to 64/],
    [['serve', '--log-level', 'loud'], /--log-level/],
    [['serve', '--base-url', 'ftp://x'], /--base-url/],
    [['serve', '--bogus'], /--bogus: unknown option/],
    [['serve', '--mail-provider', 'pigeon'], /--mail-provider/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [args, re] of cases) {
    const r = run(args);
    assert.equal(r.status, 2, `${args.join(' ')} → ${r.status}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  const env = run(['serve'], { RADSCHED_CONCURRENCY: 'x', RADSCHED_WORKER_CONCURRENCY: 'many' });
  assert.equal(env.status, 2);
  assert.match(env.stderr, /--concurrency/);
  const nosecret = run(['serve', '--database-url', 'host=/nonexistent dbname=x'], { RADSCHED_SECRET: '' });
  assert.equal(nosecret.status, 2);
  assert.match(nosecret.stderr, /--secret: required/);
});

// harness.mjs — start the real radsched binary for an integration test.
//
//   const srv = await startRadsched({ demo: true });   // dev mode: demo department seeded
//   const res = await fetch(srv.url + '/healthz');
//   srv.sql('SELECT count(*) FROM users')              // superuser query in its database
//   await srv.stop();                                  // SIGTERM, waits for exit
//
// Each server gets its own database in the throwaway cluster of scripts/test.sh
// (RADSCHED_TEST_PG), its own data dir (outbox under it) and a free port. Options:
//   demo      true: `radsched dev` (seeds the demo department), false: `radsched serve`
//   env       extra environment variables
//   args      extra command-line arguments
//   binary    default build/radsched (RADSCHED_BIN overrides)
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(process.env.RADSCHED_ROOT || '.');
let counter = 0;

function pgBase() {
  const base = process.env.RADSCHED_TEST_PG;
  if (!base) throw new Error('RADSCHED_TEST_PG is not set: run through scripts/test.sh');
  return base;
}

export function psql(conninfo, sql) {
  return execFileSync('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-d', conninfo, '-c', sql], {
    encoding: 'utf8',
  }).trim();
}

export function createDatabase(prefix = 'it') {
  const base = pgBase();
  const name = `${prefix}_${process.pid}_${++counter}_${Date.now() % 100000}`;
  psql(base, `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='radsched_owner') THEN CREATE ROLE radsched_owner NOLOGIN BYPASSRLS; END IF; IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='radsched_app') THEN CREATE ROLE radsched_app LOGIN NOBYPASSRLS; END IF; END $$`);
  psql(base, `CREATE DATABASE ${name} OWNER radsched_owner`);
  return {
    name,
    superuser: `${base} dbname=${name}`,
    app: `${base} dbname=${name} user=radsched_app`,
  };
}

export async function startRadsched(opts = {}) {
  const db = createDatabase(opts.prefix || 'it');
  const dataDir = mkdtempSync(join(tmpdir(), 'rs-it-'));
  const bin = opts.binary || process.env.RADSCHED_BIN || join(root, 'build/radsched');
  const args = [opts.demo ? 'dev' : 'serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...(opts.args || [])];
  const env = {
    ...process.env,
    RADSCHED_DATABASE_URL: db.app,
    RADSCHED_MIGRATE_DATABASE_URL: db.superuser,
    RADSCHED_MIGRATE_ROLE: 'radsched_owner',
    RADSCHED_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
    RADSCHED_SHARE_DIR: root,
    RADSCHED_LOG_LEVEL: 'warn',
    ...(opts.env || {}),
  };
  const proc = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (err += d));
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  const startLimit = Number(process.env.RADSCHED_START_TIMEOUT_MS || 90000);
  const url = await new Promise((res, rej) => {
    const t = setTimeout(() => {
      proc.kill('SIGKILL'); // never leave a server behind: the test runner would wait for it
      rej(new Error(`radsched did not start in ${startLimit / 1000} s\n${out}\n${err}`));
    }, startLimit);
    const check = () => {
      const m = out.match(/running at (http:\/\/[^\s/]+)\//);
      if (m) { clearTimeout(t); res(m[1]); }
    };
    proc.stdout.on('data', check);
    exited.then(({ code }) => { clearTimeout(t); rej(new Error(`radsched exited ${code}\n${out}\n${err}`)); });
  });
  return {
    url, proc, db, dataDir,
    outboxDir: join(dataDir, 'outbox'),
    stdout: () => out,
    stderr: () => err,
    sql: (q) => psql(db.superuser, q),
    exited,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
    // newest .eml in the outbox whose text matches re (the file provider of dev)
    outbox(re) {
      if (!existsSync(join(dataDir, 'outbox'))) return [];
      return readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml')).sort()
        .map((f) => readFileSync(join(dataDir, 'outbox', f), 'utf8')).filter((t) => !re || re.test(t));
    },
  };
}

// Create an API token for a person of a tenant straight in the database (for tests that need
// a signed-in caller before exercising the sign-in flows themselves). Returns the bearer token.
export function apiTokenFor(srv, email, tenantSlug = 'demo') {
  const token = 'rsk_test_' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  srv.sql(`INSERT INTO api_tokens (tenant_id, user_id, name, token_hash)
           SELECT u.tenant_id, u.id, 'test', encode(sha256(convert_to('${token}', 'UTF8')), 'hex')
             FROM users u JOIN tenants t ON t.id = u.tenant_id
            WHERE t.slug = '${tenantSlug}' AND lower(u.email) = lower('${email}')`);
  return token;
}

// An API caller acting as a person (bearer token from apiTokenFor): call(method, path, body?,
// headers?) → {status, headers, body} with body parsed from JSON (null when empty). A string
// body is sent as it is, anything else as JSON.
export function apiClient(srv, email, tenantSlug = 'demo') {
  const token = apiTokenFor(srv, email, tenantSlug);
  return async (method, path, body, headers = {}) => {
    const h = { Authorization: `Bearer ${token}`, ...headers };
    if (body !== undefined && !h['Content-Type']) h['Content-Type'] = 'application/json';
    const r = await fetch(srv.url + path, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : null };
  };
}

// The scheduling engine through the real binary (radsched dev): the demo department starts
// with a published schedule for this month and the next; a dry run answers with a verdict
// and names the culprits of an impossible day; a run is started, watched and finishes with
// zero rule violations, writing the draft; a cancelled run leaves the draft as it was;
// explanations and tallies, with their roles; the engine's metrics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRadsched, apiClient } from '../support/harness.mjs';

let srv, chief, rad;
const ids = {};

const client = (email) => apiClient(srv, email);
const count = (q) => Number(srv.sql(q));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitRun(id, done = (s) => s !== 'queued' && s !== 'running', tries = 150) {
  for (let i = 0; i < tries; i++) {
    const r = await chief('GET', `/api/v1/engine-runs/${id}`);
    assert.equal(r.status, 200);
    if (done(r.body.status)) return r.body;
    await sleep(200);
  }
  throw new Error(`run ${id} did not get there`);
}

const draftHash = (period) =>
  srv.sql(`SELECT md5(coalesce(string_agg(id::text || day || shift_code || user_id || updated_at, ',' ORDER BY id), ''))
             FROM assignments WHERE period_id = '${period}'`);

before(async () => {
  srv = await startRadsched({ demo: true });
  chief = client('chief@lakeside.example');
  rad = client('daniel.hughes@lakeside.example');
  for (const row of srv.sql("SELECT split_part(email, '@', 1) || '=' || id FROM users").split('\n')) {
    const [k, v] = row.split('=');
    ids[k] = v;
  }
});
after(async () => { await srv?.stop(); });

test('the demo department starts with a published schedule for this month and the next', async () => {
  const r = await rad('GET', '/api/v1/periods?status=published');
  assert.equal(r.status, 200);
  const today = srv.sql("SELECT (now() AT TIME ZONE 'America/Toronto')::date");
  const first = today.slice(0, 8) + '01';
  const next = srv.sql(`SELECT (date '${first}' + interval '1 month')::date`);
  const byStart = Object.fromEntries(r.body.items.map((p) => [p.startDate, p]));
  for (const start of [first, next]) {
    const p = byStart[start];
    assert.ok(p, `a published period starting ${start}`);
    assert.equal(p.status, 'published');
    assert.equal(p.unpublishedChanges, false);
    const days = count(`SELECT date '${p.endDate}' - date '${p.startDate}' + 1`);
    // every day of the month is staffed, and the feeds have the events
    assert.equal(count(`SELECT count(DISTINCT day) FROM assignments WHERE period_id = '${p.id}'`), days);
    assert.ok(p.assignmentCount > 10 * days);
    assert.equal(count(`SELECT count(*) FROM published_events WHERE period_id = '${p.id}'`), p.assignmentCount);
    assert.equal(count(`SELECT count(*) FROM assignments WHERE period_id = '${p.id}' AND source <> 'engine'`), 0);
  }
  assert.ok(count("SELECT count(*) FROM feed_state WHERE feed_key = 'master'") >= 1);
});

test('dry run: a verdict for the demo month, and the culprits of an impossible day', async () => {
  const periods = (await chief('GET', '/api/v1/periods?status=published')).body.items;
  const p = periods[0];
  const r = await chief('POST', `/api/v1/periods/${p.id}/dry-run`, {});
  assert.equal(r.status, 200);
  assert.equal(r.body.verdict, 'feasible');
  assert.equal(r.body.feasible, true);
  assert.equal(r.body.from, p.startDate);
  assert.equal(typeof r.body.elapsedMs, 'number');
  assert.ok(Array.isArray(r.body.notes));
  assert.equal((await rad('POST', `/api/v1/periods/${p.id}/dry-run`, {})).status, 403);
  assert.equal((await chief('POST', `/api/v1/periods/${p.id}/dry-run`, { timeLimitSeconds: 60 })).status, 422);
  assert.equal((await chief('POST', `/api/v1/periods/${p.id}/dry-run`, { from: '1999-01-01' })).status, 422);

  // a week in March with every IR radiologist away on the Wednesday
  const march = await chief('POST', '/api/v1/periods', { name: 'March week', startDate: '2026-03-02', endDate: '2026-03-08' });
  assert.equal(march.status, 201);
  for (const [who, kind] of [['victor.nguyen', 'conference'], ['fatima.siddiqui', 'conference'], ['thomas.bergeron', 'vacation']])
    srv.sql(`INSERT INTO vacation_requests (tenant_id, user_id, start_date, end_date, kind, status)
             SELECT tenant_id, id, '2026-03-04', '2026-03-04', '${kind}', 'approved' FROM users WHERE id = '${ids[who]}'`);
  const d = await chief('POST', `/api/v1/periods/${march.body.id}/dry-run`, { timeLimitSeconds: 2 });
  assert.equal(d.status, 200);
  assert.equal(d.body.verdict, 'infeasible');
  assert.equal(d.body.feasible, false);
  const texts = d.body.problems.map((x) => x.text);
  const irDay = texts.find((t) => t.startsWith('2026-03-04 IR_D needs 1; 3 eligible;'));
  assert.ok(irDay, texts.join('\n'));
  assert.match(irDay, /Dr\. Victor Nguyen at a conference/);
  assert.match(irDay, /Dr\. Fatima Siddiqui at a conference/);
  assert.match(irDay, /Dr\. Thomas Bergeron on vacation/);
  const item = d.body.problems.find((x) => x.text === irDay);
  assert.equal(item.kind, 'coverage');
  assert.equal(item.day, '2026-03-04');
  assert.equal(item.need, 1);
  assert.equal(item.have, 0);
});

let april;

test('a run: started, watched, finished with zero rule violations, written as the draft', async () => {
  april = (await chief('POST', '/api/v1/periods', { name: 'April 2026', startDate: '2026-04-01', endDate: '2026-04-30' })).body.id;
  const key = { 'Idempotency-Key': 'engine-run-april-1' };
  const s = await chief('POST', `/api/v1/periods/${april}/engine-runs`, { timeLimitSeconds: 3, seed: 11 }, key);
  assert.equal(s.status, 202);
  assert.equal(s.headers.get('location'), `/api/v1/engine-runs/${s.body.id}`);
  assert.equal(s.body.seed, 11);
  assert.equal(s.body.timeLimitSeconds, 3);
  assert.ok(['queued', 'running'].includes(s.body.status));
  // the same key replays the answer; another start while it runs is refused
  const again = await chief('POST', `/api/v1/periods/${april}/engine-runs`, { timeLimitSeconds: 3, seed: 11 }, key);
  assert.equal(again.body.id, s.body.id);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  const busy = await chief('POST', `/api/v1/periods/${april}/engine-runs`, {});
  assert.equal(busy.status, 409);
  assert.equal((await rad('POST', `/api/v1/periods/${april}/engine-runs`, {})).status, 403);
  assert.equal((await rad('GET', `/api/v1/engine-runs/${s.body.id}`)).status, 403);
  assert.equal((await chief('POST', `/api/v1/periods/${april}/engine-runs`, { timeLimitSeconds: 1000 })).status, 422);

  const run = await waitRun(s.body.id);
  assert.equal(run.status, 'succeeded', JSON.stringify(run.diagnostics));
  // rules the engine holds as hard rules are always kept; the weekend window and multi-type
  // maximums are weighted terms, reported per family (bench/ measures how fast they reach 0)
  const soft = ['weekends', 'maxShifts'];
  for (const [family, pct] of Object.entries(run.constraintsSatisfied)) if (!soft.includes(family)) assert.equal(pct, 100, family);
  assert.equal(run.hardViolations, Object.values(run.constraints).reduce((n, c) => n + c.violations, 0));
  assert.equal(run.diagnostics.violations.length, Math.min(run.hardViolations, 50));
  assert.ok(run.constraints.coverage.instances > 0);
  assert.ok(run.progress.length >= 1);
  assert.ok(run.progress.every((p, i) => i === 0 || p.objective <= run.progress[i - 1].objective));
  assert.equal(run.objective, run.progress.at(-1).objective);
  for (const k of ['loadMs', 'buildMs', 'solveMs', 'checkMs', 'writeMs', 'totalMs']) assert.equal(typeof run.timings[k], 'number', k);
  assert.equal(typeof run.objectiveTerms.fairness, 'number');
  assert.equal(run.assignmentCount, count(`SELECT count(*) FROM assignments WHERE period_id = '${april}'`));
  assert.equal(count(`SELECT count(DISTINCT day) FROM assignments WHERE period_id = '${april}'`), 30);
  assert.equal(count(`SELECT count(*) FROM assignments WHERE period_id = '${april}' AND source <> 'engine'`), 0);
  // holidays: Good Friday closes the reading rooms
  assert.equal(count(`SELECT count(*) FROM assignments WHERE period_id = '${april}' AND day = '2026-04-03' AND shift_code = 'NEURO_D'`), 0);
  const list = await chief('GET', `/api/v1/periods/${april}/engine-runs`);
  assert.deepEqual(list.body.items.map((x) => x.id), [s.body.id]);
});

test('cancel: a cancelled run leaves the previous draft untouched', async () => {
  const before = draftHash(april);
  const s = await chief('POST', `/api/v1/periods/${april}/engine-runs`, { timeLimitSeconds: 60 });
  assert.equal(s.status, 202);
  await waitRun(s.body.id, (st) => st === 'running');
  await sleep(400);
  const c = await chief('POST', `/api/v1/engine-runs/${s.body.id}/cancel`);
  assert.equal(c.status, 202);
  assert.equal(c.body.cancelRequested, true);
  const run = await waitRun(s.body.id);
  assert.equal(run.status, 'cancelled');
  assert.ok(run.timings.totalMs < 30000);
  assert.equal(draftHash(april), before);
  assert.equal((await chief('POST', `/api/v1/engine-runs/${s.body.id}/cancel`)).status, 409);
  assert.equal((await chief('GET', '/api/v1/engine-runs/00000000-0000-0000-0000-000000000000')).status, 404);
});

test('explain an assignment and tally a person against their FTE share', async () => {
  const period = (await rad('GET', '/api/v1/periods?status=published')).body.items[0];
  const own = srv.sql(`SELECT id FROM assignments WHERE period_id = '${period.id}' AND user_id = '${ids['daniel.hughes']}'
                         ORDER BY day LIMIT 1`);
  const other = srv.sql(`SELECT id FROM assignments WHERE user_id = '${ids['grace.kim']}' AND shift_code = 'MA1'
                           ORDER BY day LIMIT 1`);
  assert.ok(other, 'Dr. Grace Kim has an MA1 in the demo schedule');
  const e = await rad('GET', `/api/v1/assignments/${own}/explain`);
  assert.equal(e.status, 200);
  assert.equal(e.body.assignment.id, own);
  assert.equal(e.body.person.id, ids['daniel.hughes']);
  assert.equal(e.body.eligibility.eligible, true);
  assert.match(e.body.summary, /^Dr\. Daniel Hughes works /);
  assert.ok(Array.isArray(e.body.alternatives) && Array.isArray(e.body.fairness));
  assert.equal((await rad('GET', `/api/v1/assignments/${other}/explain`)).status, 404);
  const g = await chief('GET', `/api/v1/assignments/${other}/explain`);
  assert.equal(g.status, 200);
  assert.equal(g.body.eligibility.because, 'on the eligibility list "MA1 eligible"');
  assert.equal(g.body.day.headcount, 1);
  assert.ok(g.body.alternatives.every((a) => a.userId !== ids['grace.kim']));

  const t = await rad('GET', `/api/v1/people/${ids['daniel.hughes']}/tallies?period=${period.id}`);
  assert.equal(t.status, 200);
  assert.equal(t.body.total.shifts, count(`SELECT count(*) FROM assignments WHERE period_id = '${period.id}' AND user_id = '${ids['daniel.hughes']}'`));
  assert.equal(typeof t.body.total.due, 'number');
  assert.ok(t.body.classes.some((c) => c.id === 'weekend' && typeof c.period.due === 'number' && typeof c.yearToDate.count === 'number'));
  assert.equal(t.body.shiftTypes.reduce((n, s) => n + s.count, 0), t.body.total.shifts);
  assert.equal((await rad('GET', `/api/v1/people/${ids['grace.kim']}/tallies?period=${period.id}`)).status, 403);
  assert.equal((await chief('GET', `/api/v1/people/${ids['grace.kim']}/tallies?period=${period.id}`)).status, 200);
  assert.equal((await rad('GET', `/api/v1/people/${ids['daniel.hughes']}/tallies`)).status, 422);
});

test('metrics: solver time and rules satisfied per family', async () => {
  const m = await (await fetch(srv.url + '/metrics')).text();
  assert.match(m, /radsched_engine_solve_seconds_count\{kind="run"\} [1-9]/);
  assert.match(m, /radsched_engine_solve_seconds_count\{kind="dry_run"\} [1-9]/);
  assert.match(m, /radsched_engine_constraints_satisfied_ratio\{family="coverage"\} /);
  assert.match(m, /radsched_engine_runs_total\{status="cancelled"\} 1/);
});

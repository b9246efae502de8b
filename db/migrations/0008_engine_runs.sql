-- 0008_engine_runs: the scheduling engine run as jobs (docs/engine.md "In the product").
-- One row per run of the engine on a period: what was asked (seed, time limit, parameters),
-- where it is (status, progress of the best objective over time), and what came out
-- (timings, objective by term, rules satisfied per family, diagnostics). A succeeded run
-- has written its schedule as the period's draft (locked assignments kept); a cancelled or
-- failed one has written nothing.

CREATE TABLE engine_runs (
    tenant_id         uuid NOT NULL REFERENCES tenants(id),
    id                uuid NOT NULL DEFAULT gen_random_uuid(),
    period_id         uuid NOT NULL,
    status            text NOT NULL DEFAULT 'queued'
                      CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    cancel_requested  boolean NOT NULL DEFAULT false,
    seed              bigint NOT NULL CHECK (seed >= 0),
    time_limit_ms     integer NOT NULL CHECK (time_limit_ms BETWEEN 100 AND 600000),
    parameters        jsonb NOT NULL DEFAULT '{}',
    config_number     integer,
    job_id            bigint,
    requested_by      uuid,
    started_at        timestamptz,
    finished_at       timestamptz,
    timings           jsonb NOT NULL DEFAULT '{}',   -- {loadMs, buildMs, solveMs, checkMs, writeMs, totalMs, timeToBestMs}
    objective         bigint,
    objective_terms   jsonb,                         -- {cover_under, cover_over, on_requests, off_requests, fairness, spread}
    hard_violations   integer,
    constraints       jsonb,                         -- {family: {instances, violations, satisfiedPct}}
    progress          jsonb NOT NULL DEFAULT '[]',   -- [{seconds, objective, hardViolations}], best so far
    diagnostics       jsonb NOT NULL DEFAULT '{}',   -- {notes, violations, error}
    assignment_count  integer,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, period_id) REFERENCES periods (tenant_id, id) ON DELETE CASCADE,
    CHECK (status NOT IN ('succeeded', 'failed', 'cancelled') OR finished_at IS NOT NULL)
);
-- At most one unfinished run per period: a second start is refused while one is queued or running.
CREATE UNIQUE INDEX engine_runs_active ON engine_runs (tenant_id, period_id) WHERE status IN ('queued', 'running');
CREATE INDEX engine_runs_period ON engine_runs (tenant_id, period_id, created_at DESC);
ALTER TABLE engine_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE engine_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON engine_runs USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
-- Progress ticks (best objective over time) are not audited: only the changes of state are.
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON engine_runs FOR EACH ROW
    EXECUTE FUNCTION audit_row('progress,updated_at');
CREATE TRIGGER touch BEFORE UPDATE ON engine_runs FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

#!/usr/bin/env bash
# make bench: platform benchmarks, each as a ratio against a reference measured in the same run
# (these machines are noisy: the ratio is the figure, not the absolute rate).
#   1. queue: no-op jobs/s with 2 workers (radsched bench-queue, 50,000 jobs) vs pgbench running
#      the same claim + complete SQL raw with 2 clients.
#   2. /healthz: requests/s with wrk against radsched serve vs nginx serving a static file.
# Writes bench/RESULTS.md (the platform section) and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin=$root/build/radsched
jobs=${BENCH_JOBS:-50000}
dur=${BENCH_SECONDS:-10}
work=$(mktemp -d /tmp/rsbench.XXXXXX)
pg=$work/pg
cleanup() {
	[ -n "${srv_pid:-}" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
	[ -n "${nginx_pid:-}" ] && kill "$nginx_pid" 2>/dev/null
	scripts/pgtest.sh stop "$pg" || true
	rm -rf "$work"
}
trap cleanup EXIT
scripts/pgtest.sh start "$pg"
base="host=$pg/sock dbname=postgres user=postgres"
psql -X -q -d "$base" -c "CREATE ROLE radsched_owner NOLOGIN BYPASSRLS" -c "CREATE ROLE radsched_app LOGIN NOBYPASSRLS" \
	-c "CREATE DATABASE bench OWNER radsched_owner" >/dev/null
export RADSCHED_DATABASE_URL="host=$pg/sock dbname=bench user=radsched_app"
export RADSCHED_MIGRATE_DATABASE_URL="host=$pg/sock dbname=bench user=postgres"
export RADSCHED_MIGRATE_ROLE=radsched_owner RADSCHED_SECRET=bench-secret-0123456789abcdef0123456789 RADSCHED_LOG_LEVEL=error
export RADSCHED_SHARE_DIR=$root RADSCHED_DATA_DIR=$work/data

echo "== queue: radsched workers"
q=$("$bin" bench-queue --jobs "$jobs" --concurrency 2)
echo "$q"
q_rate=$(sed -E 's/.*jobs_per_second=([0-9]+).*/\1/' <<<"$q")

echo "== queue: the same claim + complete SQL raw, pgbench, 2 clients"
sudb="host=$pg/sock dbname=bench user=postgres"
psql -X -q -d "$sudb" -c "INSERT INTO jobs (kind, payload, max_attempts) SELECT 'bench.raw', '{}', 5 FROM generate_series(1, $((jobs + jobs / 10)))" >/dev/null
cat >"$work/claim.sql" <<'SQL'
UPDATE jobs j SET state = 'running', attempt = j.attempt + 1, locked_by = 'pgbench', locked_until = now() + interval '30 s', lease_token = gen_random_uuid(), started_at = now() WHERE j.id IN (SELECT c.id FROM jobs c WHERE c.state IN ('available', 'retryable') AND c.run_at <= now() AND c.kind = ANY ('{bench.raw}') ORDER BY c.priority DESC, c.run_at, c.id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING j.id AS id, j.lease_token AS token \gset
UPDATE jobs SET state = 'completed', finished_at = now(), locked_by = NULL, locked_until = NULL, lease_token = NULL WHERE id = :id AND lease_token = :token::uuid AND state = 'running';
SQL
pgb=$(pgbench -n -M prepared -c 2 -j 2 -t $((jobs / 2)) -f "$work/claim.sql" -d "$sudb" 2>&1 | tee "$work/pgbench.out" | grep -E '^tps' | head -1)
echo "$pgb"
p_rate=$(sed -E 's/tps = ([0-9.]+).*/\1/' <<<"$pgb")

echo "== /healthz: radsched serve vs nginx static file, wrk ${dur}s"
port_r=18181 port_n=18182
"$bin" serve --listen 127.0.0.1:$port_r --no-worker --http-threads 2 >"$work/serve.out" 2>"$work/serve.err" &
srv_pid=$!
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port_r/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port_r/healthz" >/dev/null || { echo "radsched serve did not start:"; cat "$work/serve.err"; exit 1; }
mkdir -p "$work/www"
printf '{"status":"ok"}' >"$work/www/healthz"
cat >"$work/nginx.conf" <<NGX
worker_processes 2;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  server { listen 127.0.0.1:$port_n; root $work/www; location = /healthz { try_files /healthz =404; } }
}
NGX
nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port_n/healthz" >/dev/null && break; sleep 0.2; done
h_r=$(wrk -t2 -c32 -d"${dur}s" "http://127.0.0.1:$port_r/healthz" | awk '/Requests\/sec/ {print $2}')
h_n=$(wrk -t2 -c32 -d"${dur}s" "http://127.0.0.1:$port_n/healthz" | awk '/Requests\/sec/ {print $2}')
echo "radsched $h_r req/s, nginx $h_n req/s"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
mkdir -p bench
out=bench/RESULTS.md
tmp=$(mktemp)
{
	echo "<!-- platform: written by scripts/bench.sh -->"
	echo "## Platform ($(date -u +%Y-%m-%d), $(nproc) cores, ${cpu:-unknown CPU})"
	echo
	echo "| benchmark | radsched | reference (same run) | ratio | target |"
	echo "|---|---|---|---|---|"
	echo "| queue, no-op jobs/s, 2 workers, $jobs jobs | $q_rate | pgbench raw claim SQL, 2 clients: ${p_rate%.*} tps | $(ratio "$q_rate" "$p_rate") | ≥ 0.5 |"
	echo "| \`/healthz\` req/s, wrk -t2 -c32 ${dur}s | ${h_r%.*} | nginx static file: ${h_n%.*} | $(ratio "$h_r" "$h_n") | ≥ 0.5 |"
	echo "<!-- /platform -->"
} >"$tmp"
if [ -f "$out" ] && grep -q '<!-- platform' "$out"; then
	awk -v f="$tmp" 'BEGIN{while((getline l<f)>0) blk=blk l "\n"} /<!-- platform/{skip=1; printf "%s", blk} /<!-- \/platform -->/{skip=0; next} !skip' "$out" >"$out.new" && mv "$out.new" "$out"
else
	{ [ -f "$out" ] && cat "$out" || echo "# Benchmark results"; echo; cat "$tmp"; } >"$out.new" && mv "$out.new" "$out"
fi
rm -f "$tmp"
cat "$out"
scripts/bench-ics.sh  # ICS feeds: cached feed vs nginx and ical-generator, render times (bench/RESULTS.md, ICS section)

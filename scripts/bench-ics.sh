#!/usr/bin/env bash
# bench-ics.sh: ICS feed benchmarks (called by scripts/bench.sh; runs alone too). Each rate is
# a ratio against references measured in the same run, on the same machine:
#   1. a per-user 12-month feed (250 events) served from radsched's feed cache, requests/s with
#      wrk, next to nginx serving the same bytes as a static file, and next to the same events
#      turned into a feed by npm ical-generator behind a minimal Node HTTP server;
#   2. the time to render that feed and the department's 12-month master feed on a cache miss
#      (radsched ics-bench: database read + ics_feed_render, cold and warm process caches).
# Writes the ICS section of bench/RESULTS.md (between <!-- ics --> and <!-- /ics -->).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin=${RADSCHED_BIN:-$root/build/radsched}
dur=${BENCH_SECONDS:-10}
who=yuki.tanaka@lakeside.example
work=$(mktemp -d /tmp/rsics.XXXXXX)
pg=$work/pg
cleanup() {
	for p in ${srv_pid:-} ${nginx_pid:-} ${node_pid:-}; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
	scripts/pgtest.sh stop "$pg" || true
	rm -rf "$work"
}
trap cleanup EXIT
scripts/pgtest.sh start "$pg"
psql -X -q -d "host=$pg/sock dbname=postgres user=postgres" -c "CREATE ROLE radsched_owner NOLOGIN BYPASSRLS" \
	-c "CREATE ROLE radsched_app LOGIN NOBYPASSRLS" -c "CREATE DATABASE bench OWNER radsched_owner" >/dev/null
sudb="host=$pg/sock dbname=bench user=postgres"
export RADSCHED_DATABASE_URL="host=$pg/sock dbname=bench user=radsched_app"
export RADSCHED_MIGRATE_DATABASE_URL="$sudb"
export RADSCHED_MIGRATE_ROLE=radsched_owner RADSCHED_SECRET=bench-secret-0123456789abcdef0123456789 RADSCHED_LOG_LEVEL=error
export RADSCHED_SHARE_DIR=$root RADSCHED_DATA_DIR=$work/data

port_r=18191 port_n=18192 port_j=18193
base=http://127.0.0.1:$port_r
"$bin" dev --listen 127.0.0.1:$port_r --http-threads 2 >"$work/dev.out" 2>"$work/dev.err" &
srv_pid=$!
# dev seeds the demo department (with its published schedule) before it listens
for _ in $(seq 900); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "$base/healthz" >/dev/null || { echo "bench-ics: radsched did not start:" >&2; tail -5 "$work/dev.err" >&2; exit 1; }

echo "== a published year: the department round-robin, and 250 events for $who"
psql -X -q -d "$sudb" -v ON_ERROR_STOP=1 >/dev/null <<SQL
WITH t AS (SELECT id, timezone, config_version FROM tenants WHERE slug = 'demo'),
p AS (INSERT INTO periods (tenant_id, name, start_date, end_date, status, config_number)
      SELECT t.id, 'Benchmark year', date_trunc('month', now() AT TIME ZONE t.timezone)::date,
             (date_trunc('month', now() AT TIME ZONE t.timezone) + interval '12 months' - interval '1 day')::date,
             'published', t.config_version FROM t RETURNING tenant_id, id, start_date, end_date),
st AS (SELECT s->>'code' AS code, s->>'kind' = 'allDay' AS all_day, (s->>'start')::time AS st, (s->>'end')::time AS en,
              s->'days' AS days, row_number() OVER () AS rn
         FROM t JOIN config_versions c ON c.tenant_id = t.id AND c.number = t.config_version,
              jsonb_array_elements(c.document->'shiftTypes') s),
u AS (SELECT id, row_number() OVER (ORDER BY email) - 1 AS k, count(*) OVER () AS n FROM users
       WHERE tenant_id = (SELECT id FROM t) AND schedulable AND active AND email <> '$who'),
d AS (SELECT g::date AS day FROM p, generate_series(p.start_date, p.end_date, interval '1 day') g)
INSERT INTO published_events (tenant_id, assignment_id, period_id, user_id, day, shift_code, all_day, start_at, end_at, content_hash)
SELECT p.tenant_id, gen_random_uuid(), p.id, u.id, d.day, st.code, st.all_day,
       CASE WHEN st.all_day THEN NULL ELSE (shift_instants(d.day, st.st, st.en, t.timezone)).start_at END,
       CASE WHEN st.all_day THEN NULL ELSE (shift_instants(d.day, st.st, st.en, t.timezone)).end_at END,
       md5(d.day::text || st.code)
  FROM p, t, d, st, u
 WHERE st.days ? lower(to_char(d.day, 'dy')) AND u.k = ((d.day - p.start_date) * 7 + st.rn) % u.n;

WITH t AS (SELECT id, timezone FROM tenants WHERE slug = 'demo'),
usr AS (SELECT id FROM users WHERE tenant_id = (SELECT id FROM t) AND email = '$who'),
g AS (SELECT i, ((now() AT TIME ZONE t.timezone)::date + (i * 365 / 250)) AS day FROM t, generate_series(0, 249) i),
x AS (SELECT g.*, CASE WHEN i % 11 = 0 THEN 'IR_CALL' WHEN i % 5 = 0 THEN 'OVN' WHEN i % 7 = 0 THEN 'WE_NEURO' ELSE 'NEURO_D' END AS code FROM g)
INSERT INTO published_events (tenant_id, assignment_id, period_id, user_id, day, shift_code, all_day, start_at, end_at, content_hash)
SELECT t.id, gen_random_uuid(), gen_random_uuid(), usr.id, x.day, x.code, x.code = 'IR_CALL',
       CASE x.code WHEN 'IR_CALL' THEN NULL WHEN 'OVN' THEN (shift_instants(x.day, '23:00', '08:00', t.timezone)).start_at
            WHEN 'WE_NEURO' THEN (shift_instants(x.day, '08:00', '18:00', t.timezone)).start_at
            ELSE (shift_instants(x.day, '08:00', '16:30', t.timezone)).start_at END,
       CASE x.code WHEN 'IR_CALL' THEN NULL WHEN 'OVN' THEN (shift_instants(x.day, '23:00', '08:00', t.timezone)).end_at
            WHEN 'WE_NEURO' THEN (shift_instants(x.day, '08:00', '18:00', t.timezone)).end_at
            ELSE (shift_instants(x.day, '08:00', '16:30', t.timezone)).end_at END,
       md5(x.i::text)
  FROM t, usr, x;
ANALYZE;
SQL

url=$("$bin" ics-url --tenant demo --user "$who" --base-url "$base")
path=${url#"$base"}
mkdir -p "$work/www"
curl -sS -f "$url" -o "$work/www/feed.ics" || { echo "bench-ics: the feed did not answer:" >&2; curl -si "$url" | head -5 >&2; tail -5 "$work/dev.err" >&2; exit 1; }
bytes=$(stat -c %s "$work/www/feed.ics")
events=$(grep -c '^BEGIN:VEVENT' "$work/www/feed.ics")
echo "per-user feed: $events events, $bytes bytes"
"$bin" ics-lint "$work/www/feed.ics" >/dev/null || { echo "bench-ics: the feed does not pass ics-lint" >&2; exit 1; }

echo "== render timings (cache miss: database read + render)"
r_user=$("$bin" ics-bench --tenant demo --user "$who" --runs 200 --base-url "$base")
echo "$r_user"
r_master=$("$bin" ics-bench --tenant demo --master --runs 20 --base-url "$base")
echo "$r_master"
field() { sed -E "s/.*[[:space:]]$1=([^[:space:]]+).*/\1/" <<<"$2"; }

echo "== nginx serving the same bytes as a static file"
cat >"$work/nginx.conf" <<NGX
worker_processes 2;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  default_type text/calendar;
  server { listen 127.0.0.1:$port_n; root $work/www; location = /feed.ics { try_files /feed.ics =404; } }
}
NGX
nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!

echo "== the same events through npm ical-generator behind node:http"
psql -X -q -t -A -d "$sudb" -o "$work/events.json" <<SQL
SELECT json_agg(json_build_object('id', e.assignment_id, 'code', e.shift_code, 'allDay', e.all_day, 'day', e.day,
                                  'start', e.start_at, 'end', e.end_at, 'seq', e.sequence, 'lm', e.last_modified)
                ORDER BY e.day, e.start_at NULLS FIRST)
  FROM published_events e JOIN users u ON u.id = e.user_id
 WHERE u.email = '$who' AND e.day >= (now() AT TIME ZONE 'America/Toronto')::date - 30
   AND e.day < ((now() AT TIME ZONE 'America/Toronto')::date + interval '12 months')::date;
SQL
cat >"$work/icalgen.cjs" <<'JS'
// The same feed with npm ical-generator, rendered per request like radsched on a cache miss.
const http = require('node:http');
const fs = require('node:fs');
const { createRequire } = require('node:module');
const need = createRequire(process.env.REPO + '/package.json');
const ical = need('ical-generator').default;
const events = JSON.parse(fs.readFileSync(process.env.EVENTS, 'utf8'));
const names = { NEURO_D: 'Neuroradiology', OVN: 'Overnight', IR_CALL: 'Interventional radiology', WE_NEURO: 'Neuroradiology' };
http.createServer((req, res) => {
  const cal = ical({ name: 'Dr. Yuki Tanaka — Lakeside Radiology', prodId: '//radsched//bench//EN', timezone: 'America/Toronto', ttl: 3600 });
  for (const e of events) {
    cal.createEvent({
      id: e.id + '@radsched', sequence: e.seq, stamp: new Date(e.lm), lastModified: new Date(e.lm),
      start: e.allDay ? new Date(e.day + 'T00:00:00') : new Date(e.start),
      end: e.allDay ? new Date(new Date(e.day + 'T00:00:00').getTime() + 86400000) : new Date(e.end),
      allDay: e.allDay, timezone: e.allDay ? null : 'America/Toronto',
      summary: `${e.code} — ${names[e.code] || e.code} (Tanaka)`,
      description: `${e.code}\nDr. Yuki Tanaka\nLakeside Radiology\nhttp://127.0.0.1/assignments/${e.id}`,
      url: `http://127.0.0.1/assignments/${e.id}`, transparency: e.allDay ? 'TRANSPARENT' : 'OPAQUE',
    });
  }
  const body = cal.toString();
  res.writeHead(200, { 'Content-Type': 'text/calendar; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}).listen(Number(process.env.PORT), '127.0.0.1');
JS
REPO=$root EVENTS=$work/events.json PORT=$port_j node "$work/icalgen.cjs" &
node_pid=$!
for p in $port_n $port_j; do
	for _ in $(seq 50); do curl -sf "http://127.0.0.1:$p/feed.ics" -o /dev/null && break; sleep 0.2; done
done
node_events=$(curl -sf "http://127.0.0.1:$port_j/feed.ics" | grep -c '^BEGIN:VEVENT')
cmp -s <(curl -sf "http://127.0.0.1:$port_n/feed.ics") "$work/www/feed.ics" || { echo "bench-ics: nginx bytes differ" >&2; exit 1; }

rps() { wrk -t2 -c32 -d"${dur}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
echo "== wrk -t2 -c32 ${dur}s"
curl -sf "$url" -o /dev/null # warm the cache
w_r=$(rps "$url")
echo "radsched (cached feed): $w_r req/s"
w_n=$(rps "http://127.0.0.1:$port_n/feed.ics")
echo "nginx (static file): $w_n req/s"
w_j=$(rps "http://127.0.0.1:$port_j/feed.ics")
echo "ical-generator + node:http: $w_j req/s"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
out=bench/RESULTS.md
mkdir -p bench
tmp=$(mktemp)
{
	echo "<!-- ics: written by scripts/bench-ics.sh -->"
	echo "## ICS feeds ($(date -u +%Y-%m-%d), $(nproc) cores, ${cpu:-unknown CPU})"
	echo
	echo "Per-user feed of 12 months: $events events, $bytes bytes (America/Toronto, nights and all-day calls)."
	echo "Master feed of 12 months: $(field events "$r_master") events, $(field bytes "$r_master") bytes."
	echo "Servers on the same machine in the same run, 2 threads/workers each, wrk -t2 -c32 ${dur}s."
	echo
	echo "| benchmark | radsched | reference (same run) | ratio | target |"
	echo "|---|---|---|---|---|"
	echo "| per-user feed req/s, cached | ${w_r%.*} | nginx, same bytes as a static file: ${w_n%.*} | $(ratio "$w_r" "$w_n") | ≥ 0.8 |"
	echo "| per-user feed req/s, cached | ${w_r%.*} | npm ical-generator ($node_events events) + node:http: ${w_j%.*} | $(ratio "$w_r" "$w_j") | ≥ 10 |"
	echo "| per-user feed, cold render (ms, median of 200) | $(field cold_ms "$r_user") | of which ics_feed_render: $(field cold_render_ms "$r_user"); first in process: $(field first_ms "$r_user") | | < 2 |"
	echo "| per-user feed, render with warm process caches (ms) | $(field warm_ms "$r_user") | database read $(field db_ms "$r_user"), rows to events $(field build_ms "$r_user"), ics_feed_render $(field render_ms "$r_user") | | |"
	echo "| master feed, cold render (ms, median of 20) | $(field cold_ms "$r_master") | of which ics_feed_render: $(field cold_render_ms "$r_master"); warm: $(field warm_ms "$r_master") (database read $(field db_ms "$r_master")) | | |"
	echo
	echo "Cold = the process caches (parsed tenant config, VTIMEZONE built from the TZif file) emptied before"
	echo "each render; every figure includes the feed's database read in its tenant transaction. The two"
	echo "statements of that read are prepared once per database connection: \"first in process\" includes"
	echo "preparing them (and PostgreSQL's first plans) on a new connection."
	echo "<!-- /ics -->"
} >"$tmp"
if [ -f "$out" ] && grep -q '<!-- ics' "$out"; then
	awk -v f="$tmp" 'BEGIN{while((getline l<f)>0) blk=blk l "\n"} /<!-- ics/{skip=1; printf "%s", blk} /<!-- \/ics -->/{skip=0; next} !skip' "$out" >"$out.new" && mv "$out.new" "$out"
else
	{ [ -f "$out" ] && cat "$out" || echo "# Benchmark results"; echo; cat "$tmp"; } >"$out.new" && mv "$out.new" "$out"
fi
rm -f "$tmp"
sed -n '/<!-- ics/,/<!-- \/ics -->/p' "$out"

#!/usr/bin/env bash
# pgtest.sh start|stop DIR — a throwaway PostgreSQL cluster for tests, on a Unix socket
# inside DIR (no TCP port). As root it runs as the unprivileged `postgres` user.
# After start, connect with: host=DIR/sock dbname=postgres user=postgres
set -euo pipefail
cmd=$1 dir=$(realpath -m "$2")
bindir=$(pg_config --bindir 2>/dev/null || true)
[ -x "$bindir/initdb" ] || bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg=()
if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi
case "$cmd" in
start)
	mkdir -p "$dir"
	chmod 755 "$dir" "$(dirname "$dir")" 2>/dev/null || true
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		rm -rf "$dir/data"; mkdir -p "$dir/data" "$dir/sock"
		[ "$(id -u)" = 0 ] && chown -R postgres "$dir"
		if ! "${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
			echo "pgtest: initdb failed (is $dir reachable by the postgres user?):" >&2; tail -5 "$dir/initdb.log" >&2; exit 1
		fi
	fi
	"${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$dir/sock' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null \
		|| { echo "pgtest: PostgreSQL did not start:" >&2; tail -20 "$dir/server.log" >&2; exit 1; }
	;;
stop)
	[ -f "$dir/data/postmaster.pid" ] && "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
	;;
*) echo "usage: pgtest.sh start|stop DIR" >&2; exit 2 ;;
esac

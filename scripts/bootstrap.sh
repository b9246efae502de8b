#!/usr/bin/env bash
# Install what radsched needs on Debian bookworm: Debian packages (when root, else print the
# command) and the npm dev packages pinned in package-lock.json. Idempotent and quiet when
# everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(build-essential pkg-config make gcc clang
      libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev libssl-dev libical-dev check
      coinor-libcbc-dev libpq-dev postgresql postgresql-contrib
      nodejs npm python3-aiosmtpd chromium wrk nginx-light libclang-rt-14-dev tzdata ca-certificates)

missing=()
for p in "${DEBS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && continue
	# node/npm may come from elsewhere than Debian: accept the commands
	case "$p" in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;; esac
	missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "bootstrap: installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	else
		echo "bootstrap: missing Debian packages; run as root:" >&2
		echo "  sudo apt-get install -y ${missing[*]}" >&2
		exit 1
	fi
fi

# PostgreSQL refuses to run as root: radsched runs its embedded cluster as this user.
if [ "$(id -u)" = 0 ] && ! id -u postgres >/dev/null 2>&1; then
	useradd --system --no-create-home --shell /usr/sbin/nologin postgres
fi

# npm dev/test packages (ical.js, oidc-provider, stripe, MCP SDK, playwright-core…)
if [ -f package-lock.json ]; then
	stamp=node_modules/.radsched-lock-stamp
	if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
		echo "bootstrap: npm ci"
		npm ci --no-audit --no-fund --loglevel=error >/dev/null
		cp package-lock.json "$stamp"
	fi
fi

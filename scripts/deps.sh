#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, test and run Shouwang.
# As root it installs the missing Debian packages; otherwise it prints the one
# apt-get line to run and stops. Node.js is the machine's own (20.19+), never Debian's.
set -euo pipefail

PKGS=(build-essential pkg-config clang libclang-rt-14-dev
      libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libpq-dev
      libsodium-dev libqrencode-dev libxlsxwriter-dev libcmocka-dev libgnutls28-dev
      libcurl4-gnutls-dev
      postgresql-15 postgresql-client-15 chromium wrk nginx-light tzdata
      fonts-wqy-microhei python3)
# `scripts/deps.sh cluster`: also what `make cluster-test` runs (a highly available
# PostgreSQL on loopback), which `make test` does not need.
if [ "${1:-}" = cluster ]; then
  PKGS+=(patroni etcd-server etcd-client haproxy pgbouncer python3-psycopg2)
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages. Run as root:"
    echo "  apt-get install -y ${missing[*]}"
    exit 1
  fi
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || true
  # --no-install-recommends keeps the PostgreSQL package from starting a system cluster we do not use.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v node >/dev/null; then
  echo "deps: node 20.19 or newer is required (the machine's own; Debian's nodejs is too old)"; exit 1
fi
node -e '
const [a,b]=process.versions.node.split(".").map(Number);
if (a<20 || (a===20 && b<19)) { console.error("deps: node "+process.versions.node+" is too old; need 20.19+"); process.exit(1); }'

if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "deps: npm ci in web/"
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -d tests/node_modules ] || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
  echo "deps: npm ci in tests/"
  (cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi

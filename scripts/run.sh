#!/usr/bin/env bash
# `make run`: a local configuration with its own field-encryption key (made once, kept
# beside the database but never inside it), the demo community, then the server.
set -euo pipefail
mkdir -p data
conf=data/shouwang.conf
if [ ! -f "$conf" ]; then
  umask 077
  key=$(head -c 32 /dev/urandom | base64)
  cat > "$conf" <<CONF
# Local settings for \`make run\`. Keep field_key secret and apart from backups:
# without it the encrypted ID numbers cannot be read.
db = data/shouwang.db
listen = 127.0.0.1:8080
field_key = k1:$key
CONF
  echo "run: wrote $conf with a new field-encryption key"
fi
if [ ! -f data/shouwang.db ]; then
  bin/shouwang init --config "$conf"
  bin/shouwang demo --config "$conf"
fi
cat <<'TXT'

Shouwang demo — open http://127.0.0.1:8080 and log in with any of
  admin (superuser), committee, zone (zone leader), block (block leader),
  volunteer, resident — password: shouwang-demo

TXT
exec bin/shouwang serve --config "$conf"

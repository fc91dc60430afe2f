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

This demo serves this machine only (127.0.0.1). Never serve it to a network: its
passwords are public. To serve the office network (phones need HTTPS for the camera):
  bin/shouwang init --db data/office.db          # an empty database, then
  bin/shouwang community add --db data/office.db --name … --username … --password …
  bin/shouwang tls selfsigned --out data/tls     # install data/tls/ca.crt on each phone
  bin/shouwang serve --db data/office.db --listen 0.0.0.0:8443 \
      --tls-cert data/tls/server.crt --tls-key data/tls/server.key
with a field-encryption key of its own (SHOUWANG_FIELD_KEY). See README.md, "HTTPS for the office network".

TXT
exec bin/shouwang serve --config "$conf"

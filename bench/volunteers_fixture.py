#!/usr/bin/env python3
"""volunteers_fixture.py N TOKENS_OUT — SQL (on stdout, the same text for SQLite and
PostgreSQL) that adds N active volunteers with accounts and API tokens to the demo
community, and writes their tokens to TOKENS_OUT, one per line.

The grabbing bench needs N volunteers each holding a credential. N argon2id logins
would take minutes and measure hashing, not claiming, so the accounts copy the demo
volunteer's password hash and get an API token whose hash (BLAKE2b-256, libsodium's
crypto_generichash, as secret_token_hash computes it) is written here."""
import hashlib, secrets, sys

n, out = int(sys.argv[1]), sys.argv[2]
tokens = [secrets.token_urlsafe(32) for _ in range(n)]
with open(out, "w") as f:
    f.write("\n".join(tokens) + "\n")
print("BEGIN;")
print(f"""WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {n})
INSERT INTO users (community_id, username, display_name, password_hash, language, created_at, updated_at)
SELECT u.community_id, 'bench-v' || k.i, 'bench volunteer ' || k.i, u.password_hash, 'zh-CN', 0, 0
FROM k, users u WHERE u.username = 'volunteer';""")
print("""INSERT INTO role_assignments (community_id, user_id, role, scope_kind, scope_id, created_at)
SELECT community_id, id, 'volunteer', 'community', community_id, 0 FROM users WHERE username LIKE 'bench-v%';""")
print("""INSERT INTO volunteers (community_id, user_id, name, kind, skills, availability, health, state, created_at,
updated_at) SELECT community_id, id, display_name, 'other', '', '[]', 'healthy', 'active', 0, 0
FROM users WHERE username LIKE 'bench-v%';""")
values = ",\n".join(f"('bench-v{i + 1}', '{hashlib.blake2b(t.encode(), digest_size=32).hexdigest()}')"
                    for i, t in enumerate(tokens))
print(f"""WITH v(username, h) AS (VALUES {values})
INSERT INTO api_tokens (community_id, user_id, name, token_hash, created_at, expires_at, password_stamp)
SELECT u.community_id, u.id, 'bench', v.h, 0, 4000000000000000, u.password_hash FROM v JOIN users u ON u.username = v.username;""")
print("COMMIT;")

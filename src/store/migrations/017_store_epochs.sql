-- The epoch of the watched tables (store_watch in src/store/store.h): advanced in the
-- same transaction as every write to a table a cache depends on (the session cache in
-- src/http/auth.c watches users, sessions, api_tokens, role_assignments and
-- communities), so a server learns of a change another process made. Not community
-- data: one row for the whole database.
CREATE TABLE store_epochs (
    name TEXT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO store_epochs (name, n) VALUES ('watched', 0);

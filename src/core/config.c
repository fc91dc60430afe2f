/* config.c — settings from file, environment and flags; see config.h. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

void config_defaults(config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->db_path, sizeof c->db_path, "data/shouwang.db");
    snprintf(c->listen, sizeof c->listen, "127.0.0.1:8080");
    c->threads = 2;
    c->conn_limit = 1000;
    c->conn_timeout_s = 60;
    c->body_limit = 1 << 20;
    c->header_limit = 8 * 1024;
    c->session_idle_s = 8 * 3600;
    c->session_abs_s = 7 * 24 * 3600;
    c->login_fail_account = 5;
    c->login_fail_address = 20;
    c->login_window_s = 15 * 60;
    c->write_batch_max = 256;
    c->pg_writers = 1;
    c->job_queue = 16;
    c->outbox_backoff_ms = 10000;
    c->outbox_max_attempts = 8;
    c->outbox_lease_ms = 120000;
}

static int set_int(const char *v, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || *end || end == v || n < min || n > max) return -1;
    *out = n;
    return 0;
}

/* "kid:base64" — a key id (letters, digits, -_) and 32 bytes of key. */
static int parse_key(const char *v, char *kid, size_t kidlen, unsigned char key[FIELD_KEY_BYTES])
{
    const char *colon = strchr(v, ':');
    if (!colon || colon == v || (size_t)(colon - v) >= kidlen) return -1;
    for (const char *p = v; p < colon; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') return -1;
    size_t n = 0;
    unsigned char tmp[64];
    if (sodium_base642bin(tmp, sizeof tmp, colon + 1, strlen(colon + 1), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 || n != FIELD_KEY_BYTES)
        return -1;
    memcpy(key, tmp, FIELD_KEY_BYTES);
    sodium_memzero(tmp, sizeof tmp);
    memcpy(kid, v, (size_t)(colon - v));
    kid[colon - v] = 0;
    return 0;
}

/* One setting by name: a table would need a parser per type anyway; each branch checks
 * its own range and names the reason in err. */
int config_set(config *c, const char *key, const char *v, char *err, size_t errlen)
{
    long long n;
#define BAD(what) do { snprintf(err, errlen, "invalid %s: %s", key, what); return -1; } while (0)
#define STR(field) do { if (strlen(v) >= sizeof c->field) BAD("too long"); \
        snprintf(c->field, sizeof c->field, "%s", v); return 0; } while (0)
#define INT(field, lo, hi) do { if (set_int(v, lo, hi, &n)) BAD("out of range"); \
        c->field = n; return 0; } while (0)
    if (!strcmp(key, "db")) STR(db_path);
    if (!strcmp(key, "files_dir")) STR(files_dir);
    if (!strcmp(key, "pg")) STR(pg_conninfo);
    if (!strcmp(key, "listen")) STR(listen);
    if (!strcmp(key, "tls_cert")) STR(tls_cert);
    if (!strcmp(key, "tls_key")) STR(tls_key);
    if (!strcmp(key, "redirect_listen")) STR(redirect_listen);
    if (!strcmp(key, "job_queue")) INT(job_queue, 0, 1000);
    if (!strcmp(key, "threads")) INT(threads, 1, 64);
    if (!strcmp(key, "conn_limit")) INT(conn_limit, 1, 100000);
    if (!strcmp(key, "conn_timeout")) INT(conn_timeout_s, 1, 3600);
    if (!strcmp(key, "body_limit")) INT(body_limit, 1024, 1LL << 30);
    if (!strcmp(key, "header_limit")) INT(header_limit, 4096, 1 << 20);
    if (!strcmp(key, "session_idle")) INT(session_idle_s, 60, 365LL * 86400);
    if (!strcmp(key, "session_absolute")) INT(session_abs_s, 60, 365LL * 86400);
    if (!strcmp(key, "login_fail_account")) INT(login_fail_account, 1, 1000);
    if (!strcmp(key, "login_fail_address")) INT(login_fail_address, 1, 100000);
    if (!strcmp(key, "login_window")) INT(login_window_s, 1, 86400);
    if (!strcmp(key, "write_batch_max")) INT(write_batch_max, 1, 10000);
    if (!strcmp(key, "pg_writers")) INT(pg_writers, 1, 16);
    if (!strcmp(key, "quiet")) INT(quiet, 0, 1);
    if (!strcmp(key, "outbox_backoff_ms")) INT(outbox_backoff_ms, 10, 3600000);
    if (!strcmp(key, "outbox_max_attempts")) INT(outbox_max_attempts, 1, 100);
    if (!strcmp(key, "outbox_lease_ms")) INT(outbox_lease_ms, 1000, 3600000);
    if (!strcmp(key, "public_url")) {
        /* Compared with the browser's Origin: scheme and host (and port), no path. */
        size_t n = strlen(v);
        if (n && strncmp(v, "https://", 8) && strncmp(v, "http://", 7)) BAD("must start with https:// or http://");
        while (n && v[n - 1] == '/') n--;
        if (n >= sizeof c->public_url) BAD("too long");
        size_t host = n && v[4] == 's' ? 8 : 7;
        if (n > host && memchr(v + host, '/', n - host)) BAD("no path, only scheme://host[:port]");
        snprintf(c->public_url, sizeof c->public_url, "%.*s", (int)n, v);
        return 0;
    }
    if (!strcmp(key, "trusted_proxies")) {
        c->n_trusted_proxies = 0;
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%s", v);
        for (char *save, *tok = strtok_r(tmp, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
            if (c->n_trusted_proxies == CONFIG_MAX_PROXIES) BAD("too many addresses");
            snprintf(c->trusted_proxies[c->n_trusted_proxies++], 64, "%s", tok);
        }
        return 0;
    }
    if (!strcmp(key, "field_key")) {
        if (parse_key(v, c->field_key_id, sizeof c->field_key_id, c->field_key))
            BAD("expected kid:base64 of 32 bytes");
        c->have_field_key = 1;
        return 0;
    }
    if (!strcmp(key, "old_field_key")) {
        if (parse_key(v, c->old_field_key_id, sizeof c->old_field_key_id, c->old_field_key))
            BAD("expected kid:base64 of 32 bytes");
        c->have_old_field_key = 1;
        return 0;
    }
    snprintf(err, errlen, "unknown setting: %s", key);
    return -1;
#undef BAD
#undef STR
#undef INT
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = 0;
    return s;
}

int config_load_file(config *c, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    char line[2048];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#') continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
            rc = -1;
            break;
        }
        *eq = 0;
        char e2[256];
        if (config_set(c, trim(s), trim(eq + 1), e2, sizeof e2)) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, e2);
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}

void config_files_dir(const config *c, char *out, size_t n)
{
    if (c->files_dir[0]) snprintf(out, n, "%s", c->files_dir);
    else if (c->pg_conninfo[0]) snprintf(out, n, "data/files");
    else snprintf(out, n, "%s.files", c->db_path);
}

int config_load_env(config *c, char *err, size_t errlen)
{
    static const struct { const char *env, *key; } map[] = {
        {"SHOUWANG_DB", "db"}, {"SHOUWANG_PG", "pg"}, {"SHOUWANG_LISTEN", "listen"},
        {"SHOUWANG_THREADS", "threads"}, {"SHOUWANG_CONN_LIMIT", "conn_limit"},
        {"SHOUWANG_BODY_LIMIT", "body_limit"}, {"SHOUWANG_TRUSTED_PROXIES", "trusted_proxies"},
        {"SHOUWANG_PUBLIC_URL", "public_url"},
        {"SHOUWANG_FIELD_KEY", "field_key"}, {"SHOUWANG_OLD_FIELD_KEY", "old_field_key"},
        {"SHOUWANG_QUIET", "quiet"}, {"SHOUWANG_SESSION_IDLE", "session_idle"},
        {"SHOUWANG_SESSION_ABSOLUTE", "session_absolute"},
        {"SHOUWANG_LOGIN_FAIL_ADDRESS", "login_fail_address"},
        {"SHOUWANG_TLS_CERT", "tls_cert"}, {"SHOUWANG_TLS_KEY", "tls_key"},
        {"SHOUWANG_REDIRECT_LISTEN", "redirect_listen"}, {"SHOUWANG_JOB_QUEUE", "job_queue"},
        {"SHOUWANG_PG_WRITERS", "pg_writers"}, {"SHOUWANG_FILES_DIR", "files_dir"},
        {"SHOUWANG_OUTBOX_BACKOFF_MS", "outbox_backoff_ms"},
        {"SHOUWANG_OUTBOX_MAX_ATTEMPTS", "outbox_max_attempts"}, {"SHOUWANG_OUTBOX_LEASE_MS", "outbox_lease_ms"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        const char *v = getenv(map[i].env);
        if (v && *v && config_set(c, map[i].key, v, err, errlen)) return -1;
    }
    return 0;
}

int config_is_trusted_proxy(const config *c, const char *addr)
{
    for (int i = 0; i < c->n_trusted_proxies; i++)
        if (!strcmp(c->trusted_proxies[i], addr)) return 1;
    return 0;
}

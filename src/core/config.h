/* config.h — settings from a `key = value` file, then SHOUWANG_* environment variables
 * (environment wins), then command-line flags (set by the caller). Secrets such as the
 * field-encryption key come only from here, never from the database. */
#ifndef SW_CONFIG_H
#define SW_CONFIG_H
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_PROXIES 16
#define FIELD_KEY_BYTES 32

typedef struct config {
    char db_path[512];          /* SQLite file; default ./data/shouwang.db */
    char pg_conninfo[512];      /* non-empty selects PostgreSQL */
    char listen[128];           /* "127.0.0.1:8080"; serves TLS when tls_cert is set */
    char tls_cert[512];         /* PEM certificate chain file; with tls_key, serve HTTPS */
    char tls_key[512];          /* PEM private key file */
    char redirect_listen[128];  /* with TLS: plain HTTP here answers a redirect to HTTPS */
    int threads;                /* HTTP thread pool size; default 2 */
    int conn_limit;             /* connections served; past it the server answers 503 */
    int conn_timeout_s;         /* idle per-connection timeout */
    size_t body_limit;          /* default request body cap, bytes (1 MiB) */
    size_t header_limit;        /* per-connection header memory, bytes */
    int64_t session_idle_s;     /* idle expiry */
    int64_t session_abs_s;      /* absolute expiry */
    int login_fail_account;     /* failures per account before 429 */
    int login_fail_address;     /* failures per address before 429 */
    int64_t login_window_s;     /* throttling window */
    char trusted_proxies[CONFIG_MAX_PROXIES][64]; /* exact addresses */
    int n_trusted_proxies;
    char field_key_id[32];      /* id of the current field-encryption key */
    unsigned char field_key[FIELD_KEY_BYTES];
    int have_field_key;
    char old_field_key_id[32];  /* previous key, still accepted for decryption */
    unsigned char old_field_key[FIELD_KEY_BYTES];
    int have_old_field_key;
    int quiet;                  /* no access log (tests, benches) */
    char public_url[256];       /* "https://sw.example.org" behind a proxy: an accepted Origin */
    int write_batch_max;        /* group-commit batch cap */
    int pg_writers;             /* PostgreSQL writer connections, each committing batches */
    int job_queue;              /* background tasks waiting beyond the running ones */
    char files_dir[512];        /* uploaded files (attachments); empty: beside the database */
    int outbox_backoff_ms;      /* first wait before a failed delivery is tried again */
    int outbox_max_attempts;    /* attempts before a delivery is marked failed */
    int outbox_lease_ms;        /* how long a claimed delivery is held by one process */
} config;

void config_defaults(config *c);
/* Where uploaded files live: files_dir when set, else "<SQLite file>.files", or
 * "data/files" on PostgreSQL. The backup command copies it with the database. */
void config_files_dir(const config *c, char *out, size_t n);
/* Reads a file of `key = value` lines (# comments). Returns 0, or -1 with err set. */
int config_load_file(config *c, const char *path, char *err, size_t errlen);
/* Applies SHOUWANG_* environment variables. Returns 0, or -1 with err set. */
int config_load_env(config *c, char *err, size_t errlen);
/* Applies one setting by its file key; used by the file, env and flag loaders. */
int config_set(config *c, const char *key, const char *value, char *err, size_t errlen);
int config_is_trusted_proxy(const config *c, const char *addr);
#endif

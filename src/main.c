/* main.c — the `shouwang` command: serve, init, community add, demo, user add|passwd|list,
 * purge, backup, restore, routes, version. Settings come from --config FILE, then SHOUWANG_*
 * environment variables, then flags. */
#include "core/arena.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/validate.h"
#include "domain/accounts/accounts.h"
#include "domain/demo.h"
#include "domain/domains.h"
#include "domain/outbox.h"
#include "domain/registry/retention.h"
#include "http/http.h"
#include "http/tls.h"
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *usage_main =
    "usage: shouwang <command> [options]\n\n"
    "commands:\n"
    "  serve            serve the API and web app\n"
    "  init             create or migrate the database\n"
    "  community add    add a community and its first committee account\n"
    "  demo             load a demo community (阳光绿园, 东环路 or a large one) and its logins\n"
    "  user add|passwd|list   manage accounts\n"
    "  purge            remove isolation, travel and health data past their retention\n"
    "  backup OUT       consistent online copy of the database\n"
    "  restore IN       replace the database's contents with a backup\n"
    "  routes [--json]  print the route table\n"
    "  roles [--json]   print the roles and the kind of scope each one has\n"
    "  tls selfsigned   make a certificate for this machine's names and addresses\n"
    "  version          print the version\n\n"
    "database options (every command): --db PATH (SQLite, default data/shouwang.db) | --pg CONNINFO,\n"
    "  --config FILE. Environment: SHOUWANG_DB, SHOUWANG_PG, SHOUWANG_FIELD_KEY (kid:base64 of 32 bytes),\n"
    "  SHOUWANG_LISTEN, SHOUWANG_TLS_CERT, SHOUWANG_TLS_KEY, SHOUWANG_REDIRECT_LISTEN,\n"
    "  SHOUWANG_TRUSTED_PROXIES, SHOUWANG_QUIET. Run `shouwang <command> --help` for more.\n";

typedef struct cli {
    config cfg;
    const char *username, *display_name, *password, *role, *name, *timezone, *language;
    int64_t community_id, scope_id;
    int json;
    const char *shape;   /* demo --shape */
    const char *names[64];   /* tls selfsigned --name, repeatable */
    int n_names;
    const char *out;     /* tls selfsigned --out */
    int force;
    int help;
    int dry_run;
    int argc;          /* positional arguments left */
    char **argv;
} cli;

enum { OPT_DB = 1000, OPT_PG, OPT_CONFIG, OPT_LISTEN, OPT_CONN_LIMIT, OPT_THREADS, OPT_USERNAME, OPT_DISPLAY,
       OPT_PASSWORD, OPT_ROLE, OPT_COMMUNITY, OPT_SCOPE, OPT_NAME, OPT_TZ, OPT_JSON, OPT_LANG, OPT_HELP,
       OPT_DRY_RUN, OPT_SHAPE, OPT_TLS_CERT, OPT_TLS_KEY, OPT_REDIRECT_LISTEN, OPT_OUT, OPT_FORCE };

static const struct option long_opts[] = {
    {"db", required_argument, 0, OPT_DB}, {"pg", required_argument, 0, OPT_PG},
    {"config", required_argument, 0, OPT_CONFIG}, {"listen", required_argument, 0, OPT_LISTEN},
    {"conn-limit", required_argument, 0, OPT_CONN_LIMIT}, {"threads", required_argument, 0, OPT_THREADS},
    {"username", required_argument, 0, OPT_USERNAME}, {"display-name", required_argument, 0, OPT_DISPLAY},
    {"password", required_argument, 0, OPT_PASSWORD}, {"role", required_argument, 0, OPT_ROLE},
    {"community", required_argument, 0, OPT_COMMUNITY}, {"scope", required_argument, 0, OPT_SCOPE},
    {"name", required_argument, 0, OPT_NAME}, {"timezone", required_argument, 0, OPT_TZ},
    {"language", required_argument, 0, OPT_LANG},
    {"shape", required_argument, 0, OPT_SHAPE},
    {"json", no_argument, 0, OPT_JSON}, {"help", no_argument, 0, OPT_HELP},
    {"dry-run", no_argument, 0, OPT_DRY_RUN},
    {"tls-cert", required_argument, 0, OPT_TLS_CERT}, {"tls-key", required_argument, 0, OPT_TLS_KEY},
    {"redirect-listen", required_argument, 0, OPT_REDIRECT_LISTEN},
    {"out", required_argument, 0, OPT_OUT}, {"force", no_argument, 0, OPT_FORCE}, {0, 0, 0, 0},
};

static int die(const char *fmt, const char *arg)
{
    fprintf(stderr, "shouwang: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return 1;
}

/* Parses the options after the command words. Order: config file, env, flags. */
static int parse(cli *c, int argc, char **argv)
{
    char err[256];
    config_defaults(&c->cfg);
    /* --config first, so flags override the file. */
    for (int i = 0; i < argc - 1; i++)
        if (!strcmp(argv[i], "--config") && config_load_file(&c->cfg, argv[i + 1], err, sizeof err))
            return die("%s", err);
    if (config_load_env(&c->cfg, err, sizeof err)) return die("%s", err);
    optind = 1;
    int o;
    while ((o = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        const char *key = NULL;
        switch (o) {
        case OPT_DB: key = "db"; c->cfg.pg_conninfo[0] = 0; break;
        case OPT_PG: key = "pg"; break;
        case OPT_CONFIG: break;
        case OPT_LISTEN: key = "listen"; break;
        case OPT_CONN_LIMIT: key = "conn_limit"; break;
        case OPT_THREADS: key = "threads"; break;
        case OPT_USERNAME: c->username = optarg; break;
        case OPT_DISPLAY: c->display_name = optarg; break;
        case OPT_PASSWORD: c->password = optarg; break;
        case OPT_ROLE: c->role = optarg; break;
        case OPT_COMMUNITY: c->community_id = atoll(optarg); break;
        case OPT_SCOPE: c->scope_id = atoll(optarg); break;
        case OPT_NAME:
            c->name = optarg;
            if (c->n_names < 64) c->names[c->n_names++] = optarg;
            break;
        case OPT_TLS_CERT: key = "tls_cert"; break;
        case OPT_TLS_KEY: key = "tls_key"; break;
        case OPT_REDIRECT_LISTEN: key = "redirect_listen"; break;
        case OPT_OUT: c->out = optarg; break;
        case OPT_FORCE: c->force = 1; break;
        case OPT_TZ: c->timezone = optarg; break;
        case OPT_LANG: c->language = optarg; break;
        case OPT_JSON: c->json = 1; break;
        case OPT_DRY_RUN: c->dry_run = 1; break;
        case OPT_SHAPE: c->shape = optarg; break;
        case 'h': case OPT_HELP: c->help = 1; break;
        default: return 1;
        }
        if (key && config_set(&c->cfg, key, optarg, err, sizeof err)) return die("%s", err);
    }
    c->argc = argc - optind;
    c->argv = argv + optind;
    return 0;
}

static store *open_store(cli *c, int migrate)
{
    char err[512];
    if (!c->cfg.pg_conninfo[0]) {
        /* Make the directory of a SQLite file, like data/ on the first run. */
        char dir[512];
        snprintf(dir, sizeof dir, "%s", c->cfg.db_path);
        char *slash = strrchr(dir, '/');
        if (slash) {
            *slash = 0;
            if (*dir) mkdir(dir, 0750);
        }
    }
    store_options opt = {.read_conns = c->cfg.threads + 2, .writer_threads = c->cfg.pg_writers,
                          .batch_max = c->cfg.write_batch_max};
    store *s = store_open(c->cfg.db_path, c->cfg.pg_conninfo, &opt, err, sizeof err);
    if (!s) {
        die("%s", err);
        return NULL;
    }
    if (migrate && store_migrate(s, err, sizeof err) < 0) {
        die("%s", err);
        store_close(s);
        return NULL;
    }
    /* Search terms built by older rules (or before they existed) are rebuilt once. */
    if (migrate && domains_open(s) < 0) {
        die("%s", "cannot build the residents' search terms");
        store_close(s);
        return NULL;
    }
    return s;
}

/* ---------------------------------------------------------------- serve */

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

/* Hourly: forget idempotency keys after 24 h, expired sessions, stale throttling
 * counters and devices unused for a year (their cookie has expired), so these tables
 * stay small, and purge finished jobs' results (exports hold
 * personal data) past the job retention. One failed statement fails the whole sweep:
 * it runs again within the hour. */
static int maintenance_job(store_conn *conn, void *p)
{
    (void)p;
    int64_t now = clock_now_us(), day = 24 * 3600 * 1000000LL;
    if (store_run(conn, NULL, "DELETE FROM idempotency_keys WHERE created_at < $1", "i", now - day) != STORE_DONE ||
        store_run(conn, NULL, "DELETE FROM sessions WHERE expires_at < $1", "i", now) != STORE_DONE ||
        store_run(conn, NULL, "DELETE FROM login_failures WHERE window_start < $1", "i", now - day) != STORE_DONE ||
        store_run(conn, NULL, "DELETE FROM known_devices WHERE last_used_at < $1", "i", now - 366 * day) !=
            STORE_DONE ||
        jobs_purge(conn, now) != 0) {
        log_error("maintenance: %s", store_errmsg(conn));
        return -1;
    }
    return 0;
}

static int cmd_serve(cli *c)
{
    if (c->help) {
        puts("usage: shouwang serve [--db PATH | --pg CONNINFO] [--listen 127.0.0.1:8080] [--config FILE]\n"
             "                      [--threads N] [--conn-limit N]\n"
             "                      [--tls-cert FILE --tls-key FILE [--redirect-listen 0.0.0.0:80]]\n"
             "Serves the JSON API under /api/v1 and the web app; over HTTPS on --listen when a\n"
             "certificate and key are given, with plain HTTP on --redirect-listen redirecting to it.\n"
             "SIGTERM/SIGINT stop it gracefully.");
        return 0;
    }
    if (!c->cfg.have_field_key)
        log_warn("no field-encryption key (SHOUWANG_FIELD_KEY): ID numbers cannot be stored or revealed");
    store *s = open_store(c, 1);
    if (!s) return 1;
    char err[256];
    http_server *srv = http_server_start(&c->cfg, s, domains_routes(), err, sizeof err);
    if (!srv) {
        store_close(s);
        return die("%s", err);
    }
    char host[128];
    snprintf(host, sizeof host, "%s", c->cfg.listen);
    char *colon = strrchr(host, ':');
    if (colon) *colon = 0;
    printf("Shouwang %s (%s) listening on %s://%s:%d\n", http_version(), store_backend_name(s),
           http_server_tls(srv) ? "https" : "http", host, http_server_port(srv));
    if (http_server_redirect_port(srv)) {
        snprintf(host, sizeof host, "%s", c->cfg.redirect_listen);
        colon = strrchr(host, ':');
        if (colon) *colon = 0;
        printf("redirecting http://%s:%d to HTTPS\n", host, http_server_redirect_port(srv));
    }
    fflush(stdout);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    outbox_configure(&c->cfg);
    int64_t next_sweep = 0;
    while (!stop_requested) {
        if (clock_mono_us() >= next_sweep) {
            store_write(s, maintenance_job, NULL, NULL, NULL);
            domains_hourly(s);
            next_sweep = clock_mono_us() + 3600LL * 1000000;
        }
        domains_tick(s);
        sleep(1);
    }
    log_info("stopping: finishing in-flight requests");
    http_server_stop(srv);
    domains_stop();
    store_close(s);
    log_info("stopped");
    return 0;
}

/* ---------------------------------------------------------------- init / demo */

static int cmd_init(cli *c)
{
    if (c->help) {
        puts("usage: shouwang init [--db PATH | --pg CONNINFO]\nCreates the database or applies new migrations.");
        return 0;
    }
    store *s = open_store(c, 1);
    if (!s) return 1;
    printf("database ready (%s), migration level %d\n", store_backend_name(s), store_migration_level(s));
    store_close(s);
    return 0;
}

static int cmd_demo(cli *c)
{
    if (c->help) {
        puts("usage: shouwang demo [--shape yangguang|donghuan|large] [--db PATH | --pg CONNINFO]\n"
             "Loads a demo community and its logins, password " DEMO_PASSWORD ". Several fit in one database.\n"
             "  yangguang  阳光绿园 (default): 6 zones, 62 blocks, ~1,000 households, ~3,000 residents;\n"
             "             logins admin, committee, zone, block, volunteer, resident\n"
             "  donghuan   东环路: 43 courtyards without zones, 2,300 households, 45% over 60, 22 households\n"
             "             in home isolation, courtyard committees; logins dh-committee, dh-block, dh-cNN-M\n"
             "  large      康城: 20 zones, 840 blocks, 40,000 residents for speed tests; logins lg-committee, lg-block");
        return 0;
    }
    demo_shape shape = DEMO_YANGGUANG;
    if (c->shape && demo_shape_parse(c->shape, &shape))
        return die("unknown demo shape %s (yangguang, donghuan or large)", c->shape);
    store *s = open_store(c, 1);
    if (!s) return 1;
    char err[512] = "";
    int rc = demo_load_shape(s, &c->cfg, shape, stdout, err, sizeof err);
    store_close(s);
    if (rc == DEMO_ALREADY_LOADED) {
        fprintf(stderr, "shouwang: %s\n", err[0] ? err : "the demo community is already loaded");
        return 2;
    }
    if (rc) return die("%s", err[0] ? err : "demo failed");
    return 0;
}

/* ---------------------------------------------------------------- community / user */

typedef struct account_job {
    cli *c;
    const char *hash;
    int64_t user_id;
    const char *error;
} account_job;

static int check_password(const char *pw)
{
    const char *why = pw ? validate_password(pw) : "err.required";
    if (why) return die("--password: %s (8 to 128 characters)", i18n_text(LANG_EN, why));
    return 0;
}

/* --username in its stored form (validate_login_name), as the server stores logins. */
static int cli_login_name(cli *c)
{
    static char login[VALIDATE_LOGIN_MAX];
    const char *why = validate_login_name(c->username, login);
    if (why) return die("--username: %s", i18n_text(LANG_EN, why));
    c->username = login;
    return 0;
}

static int cmd_community_add(cli *c)
{
    if (c->help || !c->name || !c->username || !c->password) {
        puts("usage: shouwang community add --name NAME --username USER --password PW\n"
             "                              [--display-name NAME] [--timezone Asia/Shanghai] [--db PATH | --pg "
             "CONNINFO]\n"
             "Adds a community and its first committee account.");
        return c->help ? 0 : 1;
    }
    if (cli_login_name(c)) return 1;
    if (c->timezone && validate_timezone(c->timezone)) return die("--timezone: unknown time zone %s", c->timezone);
    if (check_password(c->password)) return 1;
    char hash[128];
    if (secret_password_hash(c->password, hash)) return die("%s", "password hashing failed");
    store *s = open_store(c, 1);
    if (!s) return 1;
    accounts_community_add j = {.name = c->name, .timezone = c->timezone, .username = c->username,
                                .display_name = c->display_name, .language = c->language, .hash = hash,
                                .address = "cli"};
    int rc = store_write_sync(s, accounts_community_add_job, &j);
    store_close(s);
    if (rc) return die("%s", j.error ? j.error : "failed");
    printf("community %lld added; committee login %s\n", (long long)j.community_id, c->username);
    return 0;
}

static int user_add_job(store_conn *conn, void *p)
{
    account_job *j = p;
    cli *c = j->c;
    int64_t community = !strcmp(c->role, "superuser") ? 0 : c->community_id;
    int64_t found = 0;
    if (community && store_query_int_checked(conn, &found, 0, "SELECT COUNT(*) FROM communities WHERE id = $1", "i",
                                             community))
        return j->error = "cannot read the communities", -1;
    if (community && !found) return j->error = "no such community", -1;
    if (accounts_create_user_hashed(conn, community, c->username, c->display_name ? c->display_name : c->username,
                                    j->hash, c->language, &j->user_id))
        return j->error = "cannot create the user (username taken?)", -1;
    const char *kind = auth_role_scope_kind(c->role);   /* known: checked by cmd_user */
    int64_t scope = !strcmp(kind, "community") ? community : !strcmp(kind, "global") ? 0 : c->scope_id;
    if (strcmp(kind, "community") && strcmp(kind, "global") && !scope)
        return j->error = "this role needs --scope ID (zone, block or household id)", -1;
    if (accounts_assign_role(conn, community, j->user_id, c->role, kind, scope))
        return j->error = "cannot assign the role", -1;
    if (audit_write_raw(conn, community, 0, "user.create", "user", j->user_id, "cli", "{}"))
        return j->error = "cannot write the audit entry", -1;
    return 0;
}

/* shouwang user: adds an account or sets a password from the command line; one
 * sub-command after another, each option checked. */
static int cmd_user(cli *c)
{
    const char *sub = c->argc ? c->argv[0] : "";
    if (!strcmp(sub, "list")) {
        if (c->help) {
            puts("usage: shouwang user list [--community ID] [--db PATH | --pg CONNINFO]");
            return 0;
        }
        store *s = open_store(c, 1);
        if (!s) return 1;
        store_conn *conn = store_acquire(s);
        store_stmt *st = store_prepare(conn,
            "SELECT u.id, u.username, u.display_name, COALESCE(u.community_id, 0), "
            "(SELECT MIN(r.role) FROM role_assignments r WHERE r.user_id = u.id) FROM users u "
            "WHERE ($1 = 0 OR u.community_id = $1) ORDER BY u.id");
        store_bind_int(st, 1, c->community_id);
        printf("%-6s %-20s %-10s %-14s %s\n", "id", "username", "community", "role", "name");
        while (store_step(st) == STORE_ROW)
            printf("%-6lld %-20s %-10lld %-14s %s\n", (long long)store_col_int(st, 0), store_col_text(st, 1),
                   (long long)store_col_int(st, 3), store_col_text(st, 4) ? store_col_text(st, 4) : "-",
                   store_col_text(st, 2));
        store_done(st);
        store_release(s, conn);
        store_close(s);
        return 0;
    }
    if (!strcmp(sub, "add")) {
        if (c->help || !c->username || !c->password || !c->role) {
            puts("usage: shouwang user add --username USER --password PW --role ROLE [--community ID]\n"
                 "                         [--scope ID] [--display-name NAME] [--language zh-CN|en]\n"
                 "roles: superuser committee zone_leader block_leader volunteer resident\n"
                 "(zone_leader, block_leader and resident need --scope: the zone, block or household id)");
            return c->help ? 0 : 1;
        }
        if (!accounts_role_bit(c->role)) return die("--role: unknown role %s", c->role);
        if (cli_login_name(c)) return 1;
        if (strcmp(c->role, "superuser") && !c->community_id)
            return die("%s", "--community ID is required for this role");
        if (check_password(c->password)) return 1;
        if (c->language && validate_lang(c->language)) return die("--language: %s", "zh-CN or en");
        char hash[128];
        secret_password_hash(c->password, hash);
        store *s = open_store(c, 1);
        if (!s) return 1;
        account_job j = {.c = c, .hash = hash};
        int rc = store_write_sync(s, user_add_job, &j);
        store_close(s);
        if (rc) return die("%s", j.error ? j.error : "failed");
        printf("user %lld (%s) added\n", (long long)j.user_id, c->username);
        return 0;
    }
    if (!strcmp(sub, "passwd")) {
        if (c->help || !c->username || !c->password) {
            puts("usage: shouwang user passwd --username USER --password NEWPW\nSets a password and ends the user's "
                 "sessions.");
            return c->help ? 0 : 1;
        }
        if (check_password(c->password)) return 1;
        if (cli_login_name(c)) return 1;
        char hash[128];
        secret_password_hash(c->password, hash);
        store *s = open_store(c, 1);
        if (!s) return 1;
        accounts_password_set j = {.username = c->username, .hash = hash, .address = "cli"};
        int rc = store_write_sync(s, accounts_password_job, &j);
        store_close(s);
        if (rc) return die("%s", j.error ? j.error : "failed");
        printf("password of %s changed; %lld API token(s) revoked\n", c->username, (long long)j.tokens_revoked);
        return 0;
    }
    puts("usage: shouwang user add|passwd|list [options]   (--help on each)");
    return c->help ? 0 : 1;
}

/* ---------------------------------------------------------------- purge */

typedef struct purge_job {
    int64_t community_id;
    int dry_run;
    json_t *report;
} purge_job;

static int purge_one_job(store_conn *conn, void *p)
{
    purge_job *j = p;
    return retention_purge_audited(conn, j->community_id, j->dry_run, false, "cli", &j->report);
}


/* Purges one community in its own write job and prints its counts; 1 when it failed. */
static int purge_print_one(store *s, int64_t community_id, bool dry_run)
{
    purge_job j = {.community_id = community_id, .dry_run = dry_run};
    if (store_write_sync(s, purge_one_job, &j) != 0) {
        fprintf(stderr, "shouwang: purge of community %lld failed\n", (long long)community_id);
        json_decref(j.report);
        return 1;
    }
    json_t *k = json_object_get(j.report, "counts");
    const char *ended = json_string_value(json_object_get(j.report, "ended_cutoff"));
    printf("community %lld%s: isolation_flags %lld, health_history %lld, health_details %lld, travel %lld, "
           "sweep_answers %lld, total %lld (kept until %s, rolling cut-off %s)\n",
           (long long)community_id, dry_run ? " (dry run)" : "",
           (long long)json_integer_value(json_object_get(k, "isolation_flags")),
           (long long)json_integer_value(json_object_get(k, "health_history")),
           (long long)json_integer_value(json_object_get(k, "health_details")),
           (long long)json_integer_value(json_object_get(k, "travel")),
           (long long)json_integer_value(json_object_get(k, "sweep_answers")),
           (long long)json_integer_value(json_object_get(j.report, "total")), ended ? ended : "-",
           json_string_value(json_object_get(j.report, "rolling_cutoff")));
    json_decref(j.report);
    return 0;
}

static int cmd_purge(cli *c)
{
    if (c->help) {
        puts("usage: shouwang purge [--db PATH | --pg CONNINFO] [--community ID] [--dry-run]\n"
             "Removes isolation, travel and health data that the community's retention setting no longer\n"
             "keeps (committee: Retention page, or PATCH /api/v1/community/retention):\n"
             "  - once the emergency ended and its keep days (default 30) passed: every home-isolation\n"
             "    entry, every travel entry, the history of health flags (pregnant, chronic_illness,\n"
             "    bedridden, disabled), the details of current health flags (the flags stay), and the\n"
             "    answers and notes of sweep records (their outcome stays);\n"
             "  - always, also while the emergency goes on: records that ended more than max days\n"
             "    (default 180) ago: travel by its end date, cleared isolation and health flags, sweep answers.\n"
             "Residents and households stay. Each community is purged in one transaction and audited as\n"
             "retention.purge with the counts per kind and the cut-off dates, never the data.\n"
             "Without --community every community is purged. --dry-run prints the counts and changes nothing.\n"
             "The server also purges each community once a day.");
        return 0;
    }
    store *s = open_store(c, 1);
    if (!s) return 1;
    enum { PAGE = 256 };
    int64_t ids[PAGE], after = 0;
    int failed = 0, seen = 0;
    for (int n = PAGE; n == PAGE; after = ids[n - 1]) {
        n = retention_community_page(s, after, c->community_id, ids, PAGE);
        seen += n;
        for (int i = 0; i < n; i++) failed |= purge_print_one(s, ids[i], c->dry_run);
        if (n == 0) break;
    }
    if (c->community_id && !seen) {
        store_close(s);
        return die("%s", "no such community");
    }
    store_close(s);
    return failed;
}

/* ---------------------------------------------------------------- backup / restore */

/* Copies directory `from` into `to` (created) with `cp -a`, the files and their times
 * as they are: the uploaded files beside a backup of the database. 0, or -1. */
static int copy_tree(const char *from, const char *to)
{
    struct stat st;
    if (stat(from, &st) || !S_ISDIR(st.st_mode)) return 0;   /* nothing uploaded yet */
    if (mkdir(to, 0750) && errno != EEXIST) return -1;
    char src[1100];
    snprintf(src, sizeof src, "%s/.", from);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        execlp("cp", "cp", "-a", src, to, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int cmd_backup(cli *c, int restore)
{
    if (c->help || c->argc < 1) {
        printf("usage: shouwang %s FILE [--db PATH | --pg CONNINFO]\n%s\n", restore ? "restore" : "backup",
               restore ? "Replaces the database's contents with the backup. Stop the server first."
                       : "Writes a consistent copy while the server runs. The field-encryption key is not in it:\n"
                         "keep the key apart from the backups. Uploaded files are copied to FILE.files.");
        return c->help ? 0 : 1;
    }
    store *s = open_store(c, !restore);
    if (!s) return 1;
    char err[512];
    int rc = restore ? store_restore(s, c->argv[0], err, sizeof err) : store_backup(s, c->argv[0], err, sizeof err);
    if (rc == 0 && restore && store_migrate(s, err, sizeof err) < 0) rc = -1;
    if (rc == 0 && restore && domains_open(s) < 0) {
        snprintf(err, sizeof err, "cannot build the residents' search terms");
        rc = -1;
    }
    store_close(s);
    if (rc) return die("%s", err);
    /* The uploaded files go with the database: FILE.files beside the backup. */
    char files[512], copy[600];
    config_files_dir(&c->cfg, files, sizeof files);
    snprintf(copy, sizeof copy, "%s.files", c->argv[0]);
    if (restore ? copy_tree(copy, files) : copy_tree(files, copy))
        return die("the database is done, but copying the uploaded files failed (%s)", copy);
    printf("%s %s\n", restore ? "restored from" : "backup written to", c->argv[0]);
    return 0;
}

/* ---------------------------------------------------------------- tls */

static int cmd_tls(cli *c)
{
    if (c->help || c->argc < 1 || strcmp(c->argv[0], "selfsigned")) {
        puts("usage: shouwang tls selfsigned [--out DIR] [--name NAME]... [--force]\n"
             "Makes DIR/server.key and DIR/server.crt for `serve` (tls_key, tls_cert) and DIR/ca.crt for\n"
             "phones to trust, signed by a one-time authority whose key is not kept. DIR defaults to\n"
             "data/tls. Each --name is a DNS name or an IP address; without one, this machine's host\n"
             "name, localhost, 127.0.0.1, ::1 and its network addresses. --force replaces the files.");
        return c->help ? 0 : 1;
    }
    char err[512];
    if (tls_selfsigned(c->out ? c->out : "data/tls", c->names, c->n_names, c->force, err, sizeof err))
        return die("%s", err);
    return 0;
}

/* ---------------------------------------------------------------- routes */

static int cmd_routes(cli *c)
{
    json_t *all = json_array();
    const http_route *const *tables = http_routes_all(domains_routes());
    for (int t = 0; tables[t]; t++)
        for (const http_route *r = tables[t]; r->method; r++) {
            json_t *roles = json_array();
            for (const http_role *role = http_roles; role->name; role++)
                if (!(r->flags & ROUTE_PUBLIC) && (r->roles & role->bit))
                    json_array_append_new(roles, json_string(role->name));
            json_array_append_new(
                all,
                json_pack("{s:s, s:s, s:o, s:b, s:b, s:b, s:b}", "method", r->method, "pattern", r->pattern, "roles",
                          roles, "public", (r->flags & ROUTE_PUBLIC) != 0, "any_user", (r->flags & ROUTE_ANY_USER) != 0,
                          "write", (r->flags & ROUTE_WRITE) != 0, "exportable", (r->flags & ROUTE_EXPORTABLE) != 0));
        }
    if (c->json) {
        char *s = json_dumps(all, JSON_INDENT(1));
        puts(s);
        free(s);
    } else {
        size_t i;
        json_t *r;
        json_array_foreach(all, i, r) {
            char *roles = json_dumps(json_object_get(r, "roles"), JSON_COMPACT);
            printf("%-7s %-36s %s\n", json_string_value(json_object_get(r, "method")),
                   json_string_value(json_object_get(r, "pattern")),
                   json_is_true(json_object_get(r, "public")) ? "public" : roles);
            free(roles);
        }
    }
    json_decref(all);
    return 0;
}

/* ---------------------------------------------------------------- roles */

/* The roles of roles.h, highest first: what the web app's role list must equal. */
static int cmd_roles(cli *c)
{
    json_t *all = json_array();
    for (const http_role *r = http_roles; r->name; r++)
        json_array_append_new(all, json_pack("{s:s, s:I, s:s}", "name", r->name, "bit", (json_int_t)r->bit,
                                             "scope_kind", r->scope_kind));
    if (c->json) {
        char *s = json_dumps(all, JSON_INDENT(1));
        puts(s);
        free(s);
    } else {
        for (const http_role *r = http_roles; r->name; r++) printf("%-13s %s\n", r->name, r->scope_kind);
    }
    json_decref(all);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage_main, stdout);
        return argc < 2 ? 1 : 0;
    }
    if (secret_init()) return die("%s", "libsodium failed to initialise");
    http_init();
    domains_init();
    cli c;
    memset(&c, 0, sizeof c);
    const char *cmd = argv[1];
    int skip = 1;
    if (!strcmp(cmd, "community")) {
        if (argc < 3 || strcmp(argv[2], "add")) {
            puts("usage: shouwang community add --name NAME --username USER --password PW");
            return argc >= 3 && !strcmp(argv[2], "--help") ? 0 : 1;
        }
        skip = 2;
    }
    if (parse(&c, argc - skip, argv + skip)) return 1;
    log_set_quiet(c.cfg.quiet);
    if (!strcmp(cmd, "serve")) return cmd_serve(&c);
    if (!strcmp(cmd, "init")) return cmd_init(&c);
    if (!strcmp(cmd, "demo")) return cmd_demo(&c);
    if (!strcmp(cmd, "community")) return cmd_community_add(&c);
    if (!strcmp(cmd, "user")) return cmd_user(&c);
    if (!strcmp(cmd, "purge")) return cmd_purge(&c);
    if (!strcmp(cmd, "backup")) return cmd_backup(&c, 0);
    if (!strcmp(cmd, "restore")) return cmd_backup(&c, 1);
    if (!strcmp(cmd, "routes")) return cmd_routes(&c);
    if (!strcmp(cmd, "roles")) return cmd_roles(&c);
    if (!strcmp(cmd, "tls")) return cmd_tls(&c);
    if (!strcmp(cmd, "version")) {
        printf("shouwang %s\n", http_version());
        return 0;
    }
    fprintf(stderr, "shouwang: unknown command %s\n\n%s", cmd, usage_main);
    return 1;
}

/* deliver.c — sending the outbox (src/domain/outbox.h) to the chat groups. A queued row
 * is due when next_at has passed. Every second the server's tick asks, on next_at's
 * index, whether one is; only then does it wake this capability's one sender thread,
 * which
 *   1. claims up to DELIVER_BATCH due rows in a write (`UPDATE … SET state = 'sending',
 *      claim_token, lease_until = next_at = now + lease WHERE id IN (…) AND next_at <=
 *      now RETURNING`): a second process finds them claimed (PostgreSQL checks the outer
 *      `next_at <= now` again on a row a concurrent claim changed), and a claim whose
 *      process died simply comes due again when its lease ends;
 *   2. sends each with libcurl outside any transaction (5 s to connect, 10 s in all);
 *   3. records the outcome in a write that names its claim token, so a process whose
 *      lease ran out never overwrites the claim of the one that took over: delivered,
 *      or a failed attempt due again after a backoff (×1, ×3, ×12, ×60, ×360 of
 *      outbox_backoff_ms), or `failed` after outbox_max_attempts.
 * Between a send and its record a crash leaves the row to be sent again when its lease
 * ends: that is why every request carries X-Shouwang-Event-Id (and event_id in the
 * body), for the receiver to drop a repeat. At stop, the rows claimed and not yet sent
 * are handed back (pending, due now) and a send in flight is cut short. */
#include "channels_int.h"
#include "../../core/clock.h"
#include "../../core/log.h"
#include "../../core/secret.h"
#include "../../core/validate.h"
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DELIVER_BATCH = 5, DELIVER_REPLY_MAX = 2048, DELIVER_ERROR_MAX = 300 };
enum { WECOM_TEXT_MAX = 2048, WECOM_MARKDOWN_MAX = 4096, WEBHOOK_TEXT_MAX = 8000 };

typedef struct delivery {
    int64_t id, community, channel, created_at;
    char *event, *key, *title, *body, *link;
    char *kind, *format, *url;   /* of its channel */
} delivery;

/* The wait when a receiver throttles: a minute with the default backoff (10 s). */
#define DELIVER_THROTTLE_STEPS 6

typedef struct claim {
    char token[44];
    delivery items[DELIVER_BATCH];
    int n;
} claim;

typedef struct outcome {
    int64_t id, attempts;
    const char *token;
    bool ok, release;
    bool throttled;           /* the receiver asked us to slow down: not an attempt */
    long status;
    char error[DELIVER_ERROR_MAX + 1];
} outcome;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool started, wake, stopping;
} dl = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
static atomic_bool dl_busy, dl_stopping;

/* ---------------------------------------------------------------- message bodies */

/* The length of s cut to at most max bytes, at a character boundary. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    return n;
}

/* head + text + tail, the text cut (with "…") so that the whole fits in max bytes. */
static char *fit(const char *head, const char *text, const char *tail, size_t max)
{
    size_t fixed = strlen(head) + strlen(tail), room = max > fixed + 8 ? max - fixed - 3 : 0;
    size_t n = utf8_cut(text, room);
    bool cut = n < strlen(text);
    size_t len = strlen(head) + n + (cut ? 3 : 0) + strlen(tail);
    char *out = malloc(len + 1);
    if (!out) return NULL;
    snprintf(out, len + 1, "%s%.*s%s%s", head, (int)n, text, cut ? "…" : "", tail);
    out[utf8_cut(out, max)] = 0;
    return out;
}

char *channel_payload(const char *kind, const char *format, const char *event, const char *event_key,
                      int64_t community_id, const char *title, const char *text, const char *link,
                      const char *base, int64_t at_us)
{
    char abs[1200] = "";
    if (link && *link) snprintf(abs, sizeof abs, "%s%s", link[0] == '/' && base ? base : "", link);
    json_t *body;
    if (!strcmp(kind, "wecom")) {
        bool md = format && !strcmp(format, "markdown");
        char head[600], tail[2500] = "";
        snprintf(head, sizeof head, md ? "**%s**\n" : "%s\n", title);
        if (*abs) snprintf(tail, sizeof tail, md ? "\n[%s](%s)" : "\n%s", abs, abs);
        char *content = fit(head, text ? text : "", tail, md ? WECOM_MARKDOWN_MAX : WECOM_TEXT_MAX);
        if (!content) return NULL;
        body = json_pack("{s:s, s:{s:s}}", "msgtype", md ? "markdown" : "text", md ? "markdown" : "text",
                         "content", content);
        free(content);
    } else {
        char when[32];
        clock_format_utc(at_us, when, sizeof when);
        char *t = fit("", text ? text : "", "", WEBHOOK_TEXT_MAX);
        body = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s?, s:s}", "event", event, "event_id", event_key,
                         "community_id", (json_int_t)community_id, "title", title, "text", t ? t : "", "link",
                         *abs ? abs : NULL, "at", when);
        free(t);
    }
    char *out = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    return out;
}

/* ---------------------------------------------------------------- claim and record */

static void delivery_free(delivery *d)
{
    free(d->event), free(d->key), free(d->title), free(d->body), free(d->link);
    free(d->kind), free(d->format), free(d->url);
    memset(d, 0, sizeof *d);
}

static char *dup_col(store_stmt *st, int col)
{
    const char *s = store_col_text(st, col);
    return s ? strdup(s) : NULL;
}

/* Reads each claimed row's channel; a row whose channel was disabled (or removed)
 * meanwhile fails at once, unless it is a test message. */
static int claim_channels(store_conn *c, claim *cl, int64_t now)
{
    int kept = 0;
    for (int i = 0; i < cl->n; i++) {
        delivery *d = &cl->items[i];
        store_stmt *st;
        int rc = store_run(c, &st, "SELECT kind, url, format, enabled FROM channels WHERE id = $1 AND community_id = "
                           "$2", "ii", d->channel, d->community);
        if (rc < 0) return -1;
        bool usable = rc == STORE_ROW && (store_col_int(st, 3) || !strcmp(d->event, CHANNEL_TEST_EVENT));
        if (usable) d->kind = dup_col(st, 0), d->url = dup_col(st, 1), d->format = dup_col(st, 2);
        store_done(st);
        if (!usable) {
            if (store_run(c, NULL, "UPDATE outbox_deliveries SET state = 'failed', next_at = NULL, lease_until = "
                          "NULL, claim_token = NULL, last_error = 'channel disabled', updated_at = $2 WHERE id = $1",
                          "ii", d->id, now) != STORE_DONE)
                return -1;
            delivery_free(d);
            continue;
        }
        if (!d->kind || !d->url || !d->format) return -1;
        if (kept != i) cl->items[kept] = *d, memset(d, 0, sizeof *d);
        kept++;
    }
    cl->n = kept;
    return 0;
}

static int claim_job(store_conn *c, void *ctx)
{
    claim *cl = ctx;
    const config *cfg = outbox_config();
    int64_t now = clock_now_us(), until = now + (int64_t)cfg->outbox_lease_ms * 1000;
    store_stmt *st = store_prepare(c, "UPDATE outbox_deliveries SET state = 'sending', attempts = attempts + 1, "
                                      "lease_until = $2, next_at = $2, claim_token = $3, updated_at = $1 WHERE id IN "
                                      "(SELECT id FROM outbox_deliveries WHERE next_at <= $1 ORDER BY next_at, id "
                                      "LIMIT $4) AND next_at <= $1 RETURNING id, community_id, channel_id, event, "
                                      "event_key, title, body, link, created_at");
    if (!st) return -1;
    store_bind_int(st, 1, now);
    store_bind_int(st, 2, until);
    store_bind_text(st, 3, cl->token);
    store_bind_int(st, 4, DELIVER_BATCH);
    int rc = STORE_DONE;
    while (cl->n < DELIVER_BATCH && (rc = store_step(st)) == STORE_ROW) {
        delivery *d = &cl->items[cl->n++];
        d->id = store_col_int(st, 0), d->community = store_col_int(st, 1), d->channel = store_col_int(st, 2);
        d->event = dup_col(st, 3), d->key = dup_col(st, 4), d->title = dup_col(st, 5), d->body = dup_col(st, 6);
        d->link = dup_col(st, 7), d->created_at = store_col_int(st, 8);
        if (!d->event || !d->key || !d->title || !d->body) rc = STORE_ERR;
    }
    store_done(st);
    if (rc == STORE_ERR || rc == STORE_BUSY || rc == STORE_CONSTRAINT) return -1;
    return claim_channels(c, cl, now);
}

/* The wait after `attempts` failed attempts. */
static int64_t backoff_us(int64_t attempts)
{
    static const int64_t steps[] = {1, 3, 12, 60, 360};
    int64_t i = attempts < 1 ? 0 : attempts - 1, last = (int64_t)(sizeof steps / sizeof *steps) - 1;
    return steps[i > last ? last : i] * (int64_t)outbox_config()->outbox_backoff_ms * 1000;
}

static int record_job(store_conn *c, void *ctx)
{
    outcome *o = ctx;
    int64_t now = clock_now_us();
    if (o->release)
        return store_run(c, NULL, "UPDATE outbox_deliveries SET state = 'pending', attempts = attempts - 1, next_at = "
                         "$3, lease_until = NULL, claim_token = NULL, updated_at = $3 WHERE id = $1 AND claim_token = "
                         "$2", "iti", o->id, o->token, now) == STORE_DONE ? 0 : -1;
    /* A WeCom robot takes about 20 messages a minute (errcode 45009), a webhook may
     * answer 429: the delivery waits a minute without spending one of its attempts. */
    if (o->throttled) {
        int64_t wait = DELIVER_THROTTLE_STEPS * (int64_t)outbox_config()->outbox_backoff_ms * 1000;
        return store_run(c, NULL, "UPDATE outbox_deliveries SET state = 'pending', attempts = attempts - 1, next_at = "
                         "$3, last_error = $4, lease_until = NULL, claim_token = NULL, updated_at = $5 WHERE id = $1 "
                         "AND claim_token = $2", "ititi", o->id, o->token, now + wait, o->error, now) == STORE_DONE
                   ? 0 : -1;
    }
    if (o->ok)
        return store_run(c, NULL, "UPDATE outbox_deliveries SET state = 'delivered', delivered_at = $3, http_status = "
                         "$4, last_error = NULL, next_at = NULL, lease_until = NULL, claim_token = NULL, updated_at = "
                         "$3 WHERE id = $1 AND claim_token = $2", "itii", o->id, o->token, now,
                         (int64_t)o->status) == STORE_DONE ? 0 : -1;
    store_stmt *st;
    int rc = store_run(c, &st, "SELECT attempts FROM outbox_deliveries WHERE id = $1 AND claim_token = $2", "it", o->id,
                       o->token);
    if (rc == STORE_DONE) return 0;   /* the lease ran out and another process took the row */
    if (rc != STORE_ROW) return -1;
    int64_t attempts = store_col_int(st, 0);
    store_done(st);
    bool last = attempts >= outbox_config()->outbox_max_attempts;
    st = store_prepare(c, "UPDATE outbox_deliveries SET state = $3, next_at = $4, http_status = $5, last_error = $6, "
                          "lease_until = NULL, claim_token = NULL, updated_at = $7 WHERE id = $1 AND claim_token = $2");
    if (!st) return -1;
    store_bind_int(st, 1, o->id);
    store_bind_text(st, 2, o->token);
    store_bind_text(st, 3, last ? "failed" : "pending");
    if (last) store_bind_null(st, 4); else store_bind_int(st, 4, now + backoff_us(attempts));
    if (o->status) store_bind_int(st, 5, o->status); else store_bind_null(st, 5);
    store_bind_text(st, 6, o->error);
    store_bind_int(st, 7, now);
    rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? 0 : -1;
}

/* ---------------------------------------------------------------- sending */

typedef struct reply_buf {
    char data[DELIVER_REPLY_MAX + 1];
    size_t len;
} reply_buf;

static size_t on_reply(char *p, size_t size, size_t n, void *ctx)
{
    reply_buf *r = ctx;
    size_t len = size * n, room = DELIVER_REPLY_MAX - r->len;
    memcpy(r->data + r->len, p, len < room ? len : room);
    r->len += len < room ? len : room;
    r->data[r->len] = 0;
    return len;
}

static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)ctx, (void)dt, (void)dn, (void)ut, (void)un;
    return atomic_load(&dl_stopping) ? 1 : 0;
}

/* An error text fit for a TEXT column: cut at a character, no control characters, and
 * bytes that are no UTF-8 (a receiver's page may be anything) as '?'. */
static void error_set(outcome *o, const char *text)
{
    snprintf(o->error, sizeof o->error, "%s", text);
    o->error[utf8_cut(o->error, DELIVER_ERROR_MAX)] = 0;
    bool utf8 = validate_utf8(o->error) == NULL;
    for (char *p = o->error; *p; p++)
        if ((unsigned char)*p < 0x20 || (!utf8 && (unsigned char)*p >= 0x80)) *p = (unsigned char)*p < 0x20 ? ' ' : '?';
}

/* WeCom answers 200 with {"errcode":0,"errmsg":"ok"}; any other errcode is a failure. */
static bool wecom_ok(const char *reply, outcome *o)
{
    json_t *j = json_loads(reply, 0, NULL);
    json_t *code = json_object_get(j, "errcode");
    bool ok = json_is_integer(code) && json_integer_value(code) == 0;
    if (json_is_integer(code) && json_integer_value(code) == 45009) o->throttled = true;
    if (!ok) {
        const char *msg = json_string_value(json_object_get(j, "errmsg"));
        char text[DELIVER_ERROR_MAX + 1];
        snprintf(text, sizeof text, "errcode %lld: %.200s", json_is_integer(code) ? (long long)json_integer_value(code)
                 : -1LL, msg ? msg : "no errcode in the answer");
        error_set(o, text);
    }
    json_decref(j);
    return ok;
}

static void deliver_send(const delivery *d, outcome *o)
{
    const config *cfg = outbox_config();
    char *payload = channel_payload(d->kind, d->format, d->event, d->key, d->community, d->title, d->body, d->link,
                                    cfg->public_url, d->created_at);
    CURL *h = payload ? curl_easy_init() : NULL;
    if (!h) {
        free(payload);
        error_set(o, "out of memory");
        return;
    }
    char id_header[600], agent[96], errbuf[CURL_ERROR_SIZE] = "";
    snprintf(id_header, sizeof id_header, "X-Shouwang-Event-Id: %s", d->key);
    snprintf(agent, sizeof agent, "Shouwang/%s", http_version());
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
    headers = curl_slist_append(headers, id_header);
    reply_buf *reply = calloc(1, sizeof *reply);
    curl_easy_setopt(h, CURLOPT_URL, d->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, agent);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, payload);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(payload));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_reply);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, reply);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = reply ? curl_easy_perform(h) : CURLE_OUT_OF_MEMORY;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &o->status);
    if (rc == CURLE_ABORTED_BY_CALLBACK) o->release = true;   /* stopping: sent again after the restart */
    else if (rc != CURLE_OK) error_set(o, errbuf[0] ? errbuf : curl_easy_strerror(rc));
    else if (o->status < 200 || o->status > 299) {
        char text[DELIVER_ERROR_MAX + 1];
        snprintf(text, sizeof text, "HTTP %ld: %.200s", o->status, reply->data);
        error_set(o, text);
        o->throttled = o->status == 429;
    }
    else o->ok = strcmp(d->kind, "wecom") || wecom_ok(reply->data, o);
    curl_easy_cleanup(h);
    curl_slist_free_all(headers);
    free(reply);
    free(payload);
}

static void deliver_round(store *s)
{
    claim *cl = calloc(1, sizeof *cl);
    if (!cl) return;
    secret_token(cl->token);
    int rc = store_write_sync(s, claim_job, cl);
    if (rc != 0) log_error("outbox: claim not written (tried again at the next tick)");
    for (int i = 0; rc == 0 && i < cl->n; i++) {
        outcome o = {.id = cl->items[i].id, .token = cl->token};
        if (atomic_load(&dl_stopping)) o.release = true;
        else deliver_send(&cl->items[i], &o);
        if (store_write_sync(s, record_job, &o) != 0) log_error("outbox: delivery %lld not recorded", (long long)o.id);
    }
    for (int i = 0; i < cl->n; i++) delivery_free(&cl->items[i]);
    free(cl);
}

static void *deliver_main(void *arg)
{
    store *s = arg;
    pthread_mutex_lock(&dl.mu);
    while (!dl.stopping) {
        if (!dl.wake) {
            pthread_cond_wait(&dl.cv, &dl.mu);
            continue;
        }
        dl.wake = false;
        pthread_mutex_unlock(&dl.mu);
        deliver_round(s);
        atomic_store(&dl_busy, false);
        pthread_mutex_lock(&dl.mu);
    }
    pthread_mutex_unlock(&dl.mu);
    return NULL;
}

void channel_tick(store *s)
{
    if (atomic_load(&dl_busy) || atomic_load(&dl_stopping)) return;
    store_conn *c = store_acquire(s);
    int64_t due = store_query_int(c, 0, "SELECT COUNT(*) FROM (SELECT 1 FROM outbox_deliveries WHERE next_at <= $1 "
                                        "LIMIT 1) x", "i", clock_now_us());
    store_release(s, c);
    if (!due) return;
    pthread_mutex_lock(&dl.mu);
    if (!dl.started && !dl.stopping) {
        /* Once, on the main thread, before the sender exists (curl_global_init is not
         * safe to call while another thread uses libcurl). */
        curl_global_init(CURL_GLOBAL_DEFAULT);
        dl.started = pthread_create(&dl.thread, NULL, deliver_main, s) == 0;
        if (!dl.started) log_error("outbox: cannot start the sender thread");
    }
    if (dl.started) {
        atomic_store(&dl_busy, true);
        dl.wake = true;
        pthread_cond_signal(&dl.cv);
    }
    pthread_mutex_unlock(&dl.mu);
}

void channel_stop(void)
{
    atomic_store(&dl_stopping, true);
    pthread_mutex_lock(&dl.mu);
    dl.stopping = true;
    bool started = dl.started;
    pthread_cond_signal(&dl.cv);
    pthread_mutex_unlock(&dl.mu);
    if (!started) return;
    pthread_join(dl.thread, NULL);
    curl_global_cleanup();
}

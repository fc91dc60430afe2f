/* notify.c — writing to the notification centre and showing a stored one as text. The
 * text is made when read, from the catalogue, so a person who switches language reads
 * their old notifications in the new one. */
#include "notify.h"
#include "../core/buf.h"
#include "../core/clock.h"
#include <stdlib.h>
#include <string.h>

int notify_user(store_conn *c, int64_t community_id, int64_t user_id, const char *kind, json_t *params,
                const char *link)
{
    char *text = json_dumps(params ? params : json_object(), JSON_COMPACT);
    int rc = store_run(c, NULL, "INSERT INTO notifications (community_id, user_id, kind, params, link, created_at) "
                       "VALUES ($1, $2, $3, $4, $5, $6)", "iittti", community_id, user_id,
                       kind, text ? text : "{}", link, clock_now_us());
    free(text);
    return rc == STORE_DONE ? 0 : -1;
}

int64_t notify_users_from(store_conn *c, int64_t community_id, const char *kind, json_t *params, const char *link,
                          const char *sql, const char *fmt, int64_t a, int64_t b)
{
    store_stmt *st = store_prepare(c, sql);
    if (!st) return -1;
    store_bind_int(st, 1, community_id);
    if (fmt && fmt[0]) store_bind_int(st, 2, a);
    if (fmt && fmt[0] && fmt[1]) store_bind_int(st, 3, b);
    int64_t cap = 64, n = 0;
    int64_t *users = malloc(sizeof *users * (size_t)cap);
    while (users && store_step(st) == STORE_ROW) {
        if (n == cap) {
            int64_t *more = realloc(users, sizeof *users * (size_t)(cap *= 2));
            if (!more) break;
            users = more;
        }
        users[n++] = store_col_int(st, 0);
    }
    store_done(st);
    int64_t told = 0;
    for (int64_t i = 0; users && i < n; i++) {
        if (notify_user(c, community_id, users[i], kind, params, link) < 0) {
            told = -1;
            break;
        }
        told++;
    }
    free(users);
    return told;
}

const char *notify_text(arena *a, lang_id lang, const char *kind, const char *params_json)
{
    const char *pattern = i18n_text(lang, arena_printf(a, "notify.%s", kind));
    json_t *params = json_loads(params_json ? params_json : "{}", 0, NULL);
    buf b;
    buf_init(&b, 4096);
    for (const char *p = pattern; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (close && close - p < 32) {
            char key[32];
            memcpy(key, p + 1, (size_t)(close - p - 1));
            key[close - p - 1] = 0;
            json_t *v = json_object_get(params, key);
            if (json_is_string(v)) buf_puts(&b, json_string_value(v));
            else if (json_is_integer(v)) buf_printf(&b, "%lld", (long long)json_integer_value(v));
            p = close + 1;
            continue;
        }
        buf_append(&b, p, 1);
        p++;
    }
    json_decref(params);
    size_t len;
    char *s = buf_take(&b, &len);
    const char *out = arena_strndup(a, s ? s : "", s ? len : 0);
    free(s);
    return out;
}

/* router.c — matching a method and path against the route tables.
 *
 * Patterns are literal segments and {name} segments that match one non-empty segment.
 * The first row whose pattern and method match wins; a literal segment is tried
 * against every row in order, so tables list literal routes before parameter routes
 * when both could match ("/users/export" before "/users/{id}"). */
#include "http.h"
#include <string.h>

/* Matches one pattern against path; on success fills req's params (when req). */
static bool match_pattern(const char *pat, const char *path, http_req *req)
{
    int n = 0;
    const char *names[HTTP_MAX_PARAMS], *vals[HTTP_MAX_PARAMS];
    size_t name_len[HTTP_MAX_PARAMS], val_len[HTTP_MAX_PARAMS];
    const char *p = pat, *s = path;
    while (*p && *s) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (!close || n == HTTP_MAX_PARAMS) return false;
            const char *seg_end = strchr(s, '/');
            if (!seg_end) seg_end = s + strlen(s);
            if (seg_end == s) return false;
            names[n] = p + 1;
            name_len[n] = (size_t)(close - p - 1);
            vals[n] = s;
            val_len[n] = (size_t)(seg_end - s);
            n++;
            p = close + 1;
            s = seg_end;
        } else {
            if (*p != *s) return false;
            p++;
            s++;
        }
    }
    if (*p || *s) return false;
    if (req) {
        req->n_params = n;
        for (int i = 0; i < n; i++) {
            req->param_name[i] = arena_strndup(req->a, names[i], name_len[i]);
            req->param_value[i] = arena_strndup(req->a, vals[i], val_len[i]);
        }
    }
    return true;
}

const http_route *http_route_match(const http_route *const *tables, const char *method,
                                   const char *path, http_req *req, bool *method_mismatch)
{
    if (method_mismatch) *method_mismatch = false;
    if (!method || !path) return NULL;
    for (int t = 0; tables[t]; t++)
        for (const http_route *r = tables[t]; r->method; r++) {
            if (!match_pattern(r->pattern, path, NULL)) continue;
            if (strcmp(r->method, method)) {
                if (method_mismatch) *method_mismatch = true;
                continue;
            }
            if (req) match_pattern(r->pattern, path, req);
            return r;
        }
    return NULL;
}

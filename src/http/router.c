/* router.c — matching a method and path against the route tables.
 *
 * Patterns are literal segments and {name} segments that match one non-empty segment.
 * Of the rows whose pattern and method match, the most specific wins: "/users/export"
 * beats "/users/{id}" wherever either is listed. The HTTP layer's own tables come first
 * in the served list (http_routes_all); capabilities add theirs. */
#include "http.h"
#include <stdint.h>
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

/* Specificity of a pattern: bit 63 - i set when segment i is literal. Of two patterns
 * matching the same path (so with as many segments), the larger value has a literal
 * where the other has a {name} at the first segment where they differ. */
static uint64_t pattern_rank(const char *pat)
{
    uint64_t rank = 0;
    int seg = 0;
    for (const char *p = pat; *p && seg < 64; p++)
        if (*p == '/') {
            seg++;
            if (p[1] != '{' && seg < 64) rank |= (uint64_t)1 << (63 - seg);
        }
    return rank;
}

const http_route *http_route_match(const http_route *const *tables, const char *method,
                                   const char *path, http_req *req, bool *method_mismatch)
{
    if (method_mismatch) *method_mismatch = false;
    if (!method || !path) return NULL;
    const http_route *best = NULL;
    uint64_t best_rank = 0;
    bool other_method = false;
    /* Nearly every pattern starts with the same "/api/v1/": compare that once, and let a
     * row whose next character differs go without a call (route matching was a tenth
     * of a small request's time). */
    static const char prefix[] = "/api/v1/";
    const size_t plen = sizeof prefix - 1;
    bool api = !strncmp(path, prefix, plen);
    for (int t = 0; tables[t]; t++)
        for (const http_route *r = tables[t]; r->method; r++) {
            const char *pat = r->pattern, *p = path;
            if (api && !strncmp(pat, prefix, plen)) {
                pat += plen;
                p += plen;
                if (*pat != '{' && *pat != *p) continue;
            }
            if (!match_pattern(pat, p, NULL)) continue;
            if (strcmp(r->method, method)) {
                other_method = true;
                continue;
            }
            uint64_t rank = pattern_rank(r->pattern);
            if (!best || rank > best_rank) {
                best = r;
                best_rank = rank;
            }
        }
    if (!best) {
        if (method_mismatch) *method_mismatch = other_method;
        return NULL;
    }
    if (req) match_pattern(best->pattern, path, req);
    return best;
}

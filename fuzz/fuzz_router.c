/* fuzz_router.c — libFuzzer target: arbitrary method and path through the real routes.
 *
 * The router sees every request before authentication, so any path a client can send
 * reaches it: it must never read out of bounds, must keep path parameters within
 * HTTP_MAX_PARAMS, and must only hand back a row of the tables it was given.
 *
 * Input: "METHOD\nPATH". Without a newline the first byte picks one of the methods the
 * server knows and the rest is the path, so most inputs exercise pattern matching
 * rather than being rejected on an unknown method. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../src/core/arena.h"
#include "../src/http/http.h"
#include "../src/domain/domains.h"

static const char *const METHODS[] = {
    "GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS", "get", "",
};

/* A NUL-terminated copy of n bytes, sized exactly so that a read past the end
 * lands outside the allocation where AddressSanitizer sees it. */
static char *copy_str(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s == NULL) abort();
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* Every table the server serves: the HTTP layer's and the capabilities'. */
static const http_route *const *all_routes(void)
{
    static const http_route *const *tables;
    if (!tables) {
        domains_init();
        tables = http_routes_all(domains_routes());
    }
    return tables;
}

/* True when row is one of the rows of the route tables. */
static bool is_known_row(const http_route *row)
{
    for (const http_route *const *t = all_routes(); *t != NULL; t++)
        for (const http_route *r = *t; r->method != NULL; r++)
            if (r == row) return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    char *method, *path;
    if (nl != NULL) {
        method = copy_str(data, (size_t)(nl - data));
        path = copy_str(nl + 1, size - (size_t)(nl - data) - 1);
    } else if (size > 0) {
        const char *m = METHODS[data[0] % (sizeof METHODS / sizeof *METHODS)];
        method = copy_str((const uint8_t *)m, strlen(m));
        path = copy_str(data + 1, size - 1);
    } else {
        method = copy_str((const uint8_t *)"GET", 3);
        path = copy_str(data, 0);
    }

    http_req req;
    memset(&req, 0, sizeof req);
    req.a = arena_new();
    req.method = method;
    req.path = path;

    bool method_mismatch = false;
    const http_route *row = http_route_match(all_routes(), method, path, &req,
                                             &method_mismatch);
    if (row != NULL) {
        if (!is_known_row(row)) {
            fprintf(stderr, "router returned a row outside the tables\n");
            abort();
        }
        if (row->pattern == NULL || row->handler == NULL) {
            fprintf(stderr, "router returned an incomplete row\n");
            abort();
        }
    }
    if (req.n_params < 0 || req.n_params > HTTP_MAX_PARAMS) {
        fprintf(stderr, "router set n_params=%d\n", req.n_params);
        abort();
    }
    /* Touch every parameter of a match whole: an unterminated or freed one shows up
     * here. A value is cut from the path (perhaps decoded), so it is never longer. */
    size_t path_len = strlen(path);
    for (int i = 0; row != NULL && i < req.n_params; i++) {
        if (req.param_name[i] == NULL || req.param_value[i] == NULL) {
            fprintf(stderr, "router left parameter %d unset\n", i);
            abort();
        }
        size_t name_len = strlen(req.param_name[i]);
        size_t value_len = strlen(req.param_value[i]);
        if (name_len == 0 || value_len > path_len) {
            fprintf(stderr, "parameter %d: name of %zu bytes, value of %zu from a %zu-byte path\n",
                    i, name_len, value_len, path_len);
            abort();
        }
    }

    arena_free(req.a);
    free(method);
    free(path);
    return 0;
}

/* fuzz_json.c — libFuzzer target: arbitrary bytes as a request body to http_json_decode.
 *
 * Every JSON route feeds the client's body to this decoder before any check of the
 * caller's rights beyond authentication, so it must survive any bytes: no read past
 * `len` (the body is not NUL-terminated), no unbounded recursion on deep nesting, and
 * a clean contract — an object, or NULL with an error key. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "../src/http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy without a terminator: a decoder that treats the body as a C
     * string reads one byte past the allocation, which AddressSanitizer reports. */
    char *body = malloc(size ? size : 1);
    if (body == NULL) abort();
    memcpy(body, data, size);

    const char *err_key = NULL;
    json_t *v = http_json_decode(body, size, &err_key);
    if (v != NULL) {
        if (!json_is_object(v)) {
            fprintf(stderr, "http_json_decode returned a non-object (type %d)\n",
                    (int)json_typeof(v));
            abort();
        }
        /* Serialising walks the whole tree: a dangling or cyclic node shows up here. */
        char *text = json_dumps(v, JSON_COMPACT);
        if (text == NULL) {
            fprintf(stderr, "decoded object cannot be serialised\n");
            abort();
        }
        free(text);
        json_decref(v);
    } else if (err_key == NULL || err_key[0] == '\0') {
        fprintf(stderr, "http_json_decode failed without an error key\n");
        abort();
    }

    free(body);
    return 0;
}

/* secret.c — libsodium for field encryption, lookup hashes, tokens and passwords. */
#include "secret.h"
#include "arena.h"
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#define PW_OPS 2
#define PW_MEM (19u * 1024 * 1024)

static sem_t pw_slots;   /* at most two argon2id hashes at a time: bounded memory */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

static void secret_init_once(void)
{
    init_rc = sodium_init() < 0 ? -1 : 0;
    sem_init(&pw_slots, 0, 2);
}

int secret_init(void)
{
    pthread_once(&init_once, secret_init_once);
    return init_rc;
}

char *secret_encrypt(const config *c, const char *plaintext)
{
    if (!c->have_field_key || !plaintext) return NULL;
    secret_init();
    size_t pl = strlen(plaintext);
    size_t n = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + pl + crypto_aead_xchacha20poly1305_ietf_ABYTES;
    unsigned char *raw = xmalloc(n);
    randombytes_buf(raw, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    unsigned long long clen;
    /* The key id is bound as associated data so a ciphertext cannot be relabelled. */
    crypto_aead_xchacha20poly1305_ietf_encrypt(raw + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen,
        (const unsigned char *)plaintext, pl, (const unsigned char *)c->field_key_id,
        strlen(c->field_key_id), NULL, raw, c->field_key);
    size_t b64 = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    size_t kl = strlen(c->field_key_id);
    char *out = xmalloc(kl + 1 + b64);
    memcpy(out, c->field_key_id, kl);
    out[kl] = ':';
    sodium_bin2base64(out + kl + 1, b64, raw, n, sodium_base64_VARIANT_ORIGINAL);
    free(raw);
    return out;
}

char *secret_decrypt(const config *c, const char *ct)
{
    if (!ct) return NULL;
    secret_init();
    const char *colon = strchr(ct, ':');
    if (!colon) return NULL;
    size_t kl = (size_t)(colon - ct);
    const unsigned char *key = NULL;
    const char *kid = NULL;
    if (c->have_field_key && strlen(c->field_key_id) == kl && !strncmp(ct, c->field_key_id, kl)) {
        key = c->field_key;
        kid = c->field_key_id;
    } else if (c->have_old_field_key && strlen(c->old_field_key_id) == kl &&
               !strncmp(ct, c->old_field_key_id, kl)) {
        key = c->old_field_key;
        kid = c->old_field_key_id;
    }
    if (!key) return NULL;
    size_t b64len = strlen(colon + 1);
    unsigned char *raw = xmalloc(b64len);
    size_t n;
    if (sodium_base642bin(raw, b64len, colon + 1, b64len, NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) ||
        n < crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
        free(raw);
        return NULL;
    }
    size_t cl = n - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    char *out = xmalloc(cl + 1);
    unsigned long long ml;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)out, &ml, NULL,
            raw + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, cl,
            (const unsigned char *)kid, strlen(kid), raw, key) != 0) {
        free(raw);
        free(out);
        return NULL;
    }
    out[ml] = 0;
    free(raw);
    return out;
}

void secret_lookup_hash(const config *c, const char *value, char out[65])
{
    secret_init();
    /* The lookup key is derived from the field key so one secret serves both. */
    unsigned char hkey[crypto_generichash_KEYBYTES], h[32];
    static const unsigned char zero[FIELD_KEY_BYTES];
    crypto_generichash(hkey, sizeof hkey, (const unsigned char *)"shouwang-lookup", 15,
                       c->have_field_key ? c->field_key : zero, FIELD_KEY_BYTES);
    crypto_generichash(h, sizeof h, (const unsigned char *)value, strlen(value), hkey, sizeof hkey);
    sodium_bin2hex(out, 65, h, sizeof h);
}

char *secret_mask(const char *v, int head, int tail)
{
    size_t n = strlen(v);
    char *out = xstrdup(v);
    if ((int)n <= head + tail) {
        for (size_t i = (n > 1 ? 1 : 0); i < n; i++) out[i] = '*';
        return out;
    }
    for (size_t i = (size_t)head; i < n - (size_t)tail; i++) out[i] = '*';
    return out;
}

void secret_token(char out[44])
{
    secret_init();
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, 44, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void secret_token_hash(const char *token, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

int secret_password_hash(const char *password, char out[128])
{
    secret_init();
    sem_wait(&pw_slots);
    int rc = crypto_pwhash_str_alg(out, password, strlen(password), PW_OPS, PW_MEM,
                                   crypto_pwhash_ALG_ARGON2ID13);
    sem_post(&pw_slots);
    return rc;
}

int secret_password_verify(const char *hash, const char *password)
{
    secret_init();
    sem_wait(&pw_slots);
    int rc = crypto_pwhash_str_verify(hash, password, strlen(password));
    sem_post(&pw_slots);
    return rc == 0;
}

int secret_const_eq(const char *a, const char *b)
{
    if (!a || !b) return 0;
    size_t n = strlen(a);
    if (n != strlen(b)) return 0;
    return sodium_memcmp(a, b, n) == 0;
}

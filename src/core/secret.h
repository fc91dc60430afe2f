/* secret.h — field encryption and keyed lookup hashes for personal data (libsodium).
 *
 * Ciphertext is "kid:" + base64(nonce || xchacha20poly1305(plaintext)), so the key can
 * be rotated: the key id tells which key opened it. The lookup hash is a keyed
 * BLAKE2b of the normalised value, for de-duplication and search without decrypting. */
#ifndef SW_SECRET_H
#define SW_SECRET_H
#include <stddef.h>
#include "config.h"

int secret_init(void);                         /* sodium_init; 0 on success */
/* Returns a malloc'd string, or NULL when no key is configured. */
char *secret_encrypt(const config *c, const char *plaintext);
/* Returns a malloc'd plaintext, or NULL when the key is unknown or the data forged. */
char *secret_decrypt(const config *c, const char *ciphertext);
/* Hex keyed hash (64 chars + NUL) of value; out must hold 65 bytes. */
void secret_lookup_hash(const config *c, const char *value, char out[65]);
/* Masks all but the first and last `keep` characters: 3101**********123X. */
char *secret_mask(const char *value, int keep_head, int keep_tail); /* malloc'd */
/* Random token: 32 bytes as 43 base64url chars + NUL. */
void secret_token(char out[44]);
/* Hex BLAKE2b-256 of a token, for storing session and API tokens. out: 65 bytes. */
void secret_token_hash(const char *token, char out[65]);
/* argon2id, 19 MiB, 2 passes; at most two run at once so memory stays bounded. */
int secret_password_hash(const char *password, char out[128]);
int secret_password_verify(const char *hash, const char *password); /* 1 match, 0 not */
int secret_const_eq(const char *a, const char *b);
#endif

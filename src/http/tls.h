/* tls.h — HTTPS served by libmicrohttpd's own TLS (GnuTLS): the certificate and key
 * `serve` loads from tls_cert and tls_key, the plain-HTTP listener that redirects to
 * HTTPS (redirect_listen), and `shouwang tls selfsigned`, which makes a certificate for
 * a committee without a domain name. */
#ifndef SW_TLS_H
#define SW_TLS_H
#include <stddef.h>
#include <microhttpd.h>
#include "../core/config.h"

typedef struct tls_creds {
    char *cert_pem;           /* the chain, as read (NUL-terminated) */
    char *key_pem;
    char fingerprint[100];    /* SHA-256 of the first certificate, hex with colons */
} tls_creds;

/* Reads cfg->tls_cert and cfg->tls_key and checks that they parse and belong together.
 * Returns 0, or -1 with err set (naming the file and the reason). */
int tls_load(const config *cfg, tls_creds *out, char *err, size_t errlen);
void tls_creds_free(tls_creds *c);
/* Fills opts (4 items, ended by MHD_OPTION_END) with the key, chain and protocol
 * versions for MHD_OPTION_ARRAY; creds must outlive the daemon. */
void tls_daemon_options(const tls_creds *c, struct MHD_OptionItem opts[4]);

/* The plain-HTTP listener: every request is answered 308 to the same path and query on
 * https://<Host>:<https_port>. listen_fd is a bound, listening socket (taken over). */
typedef struct tls_redirect tls_redirect;
tls_redirect *tls_redirect_start(int listen_fd, int https_port, char *err, size_t errlen);
void tls_redirect_stop(tls_redirect *r);

/* `shouwang tls selfsigned`: a one-time certificate authority (its key is never
 * written, so it can sign nothing else) limited by name constraints to the names given,
 * and a server key and certificate signed by it for those names. Writes DIR/ca.crt (for
 * phones), DIR/server.crt (server, then CA) and DIR/server.key (mode 0600). names: DNS
 * names and IP addresses; none = this machine's (see tls_machine_names). Refuses to
 * replace files unless force. Prints what it made. Returns 0 or -1 with err set. */
int tls_selfsigned(const char *dir, const char *const *names, int n_names, int force,
                   char *err, size_t errlen);
/* The host name (and NAME.local), localhost, 127.0.0.1, ::1 and every non-loopback,
 * non-link-local address of the machine. Returns the count written to names (strdup'd). */
int tls_machine_names(char **names, int max);
#endif

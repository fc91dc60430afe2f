/* tls.c — HTTPS: loading and checking the certificate `serve` uses, the plain-HTTP
 * redirect, and the self-signed certificate for a committee's office network. See
 * tls.h. GnuTLS is the library libmicrohttpd itself uses for TLS. */
#include "tls.h"
#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/log.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/crypto.h>

/* TLS 1.2 and 1.3 only: every phone and browser in use speaks them. */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
/* Apple refuses server certificates valid for longer than 825 days. */
#define TLS_DAYS 825
#define TLS_MAX_NAMES 64
#define PEM_MAX (1 << 20)

/* ---------------------------------------------------------------- loading */

static char *read_pem(const char *path, const char *what, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open %s %s: %s", what, path, strerror(errno));
        return NULL;
    }
    char *data = xmalloc(PEM_MAX + 1);
    size_t n = fread(data, 1, PEM_MAX + 1, f);
    fclose(f);
    if (n == 0 || n > PEM_MAX) {
        snprintf(err, errlen, "%s %s is %s", what, path, n ? "larger than 1 MiB" : "empty");
        free(data);
        return NULL;
    }
    data[n] = 0;
    return data;
}

static void fingerprint_hex(gnutls_x509_crt_t crt, char *out, size_t outlen)
{
    unsigned char d[32];
    size_t n = sizeof d;
    out[0] = 0;
    if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, d, &n) < 0) return;
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 <= outlen; i++)
        o += (size_t)snprintf(out + o, outlen - o, i ? ":%02X" : "%02X", d[i]);
}

int tls_load(const config *cfg, tls_creds *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!cfg->tls_cert[0] || !cfg->tls_key[0]) {
        snprintf(err, errlen, "TLS needs both tls_cert and tls_key");
        return -1;
    }
    out->cert_pem = read_pem(cfg->tls_cert, "tls_cert", err, errlen);
    if (!out->cert_pem) return -1;
    out->key_pem = read_pem(cfg->tls_key, "tls_key", err, errlen);
    if (!out->key_pem) {
        tls_creds_free(out);
        return -1;
    }
    struct stat st;
    if (!stat(cfg->tls_key, &st) && (st.st_mode & 077))
        log_warn("tls_key %s can be read by other accounts; chmod 600 it", cfg->tls_key);
    /* The same check GnuTLS makes when the daemon starts, here with a clear reason:
     * both parse, and the key belongs to the first certificate. */
    gnutls_certificate_credentials_t cred;
    gnutls_certificate_allocate_credentials(&cred);
    gnutls_datum_t c = {(unsigned char *)out->cert_pem, (unsigned)strlen(out->cert_pem)};
    gnutls_datum_t k = {(unsigned char *)out->key_pem, (unsigned)strlen(out->key_pem)};
    int rc = gnutls_certificate_set_x509_key_mem2(cred, &c, &k, GNUTLS_X509_FMT_PEM, NULL, 0);
    gnutls_certificate_free_credentials(cred);
    if (rc < 0) {
        snprintf(err, errlen, "tls_cert %s / tls_key %s: %s", cfg->tls_cert, cfg->tls_key, gnutls_strerror(rc));
        tls_creds_free(out);
        return -1;
    }
    gnutls_x509_crt_t crt;
    gnutls_x509_crt_init(&crt);
    if (gnutls_x509_crt_import(crt, &c, GNUTLS_X509_FMT_PEM) >= 0) {
        fingerprint_hex(crt, out->fingerprint, sizeof out->fingerprint);
        time_t until = gnutls_x509_crt_get_expiration_time(crt);
        if (until != (time_t)-1 && until < time(NULL))
            log_warn("tls_cert %s expired; browsers will refuse it (make a new one)", cfg->tls_cert);
        else if (until != (time_t)-1 && until < time(NULL) + 30 * 86400)
            log_warn("tls_cert %s expires within 30 days", cfg->tls_cert);
    }
    gnutls_x509_crt_deinit(crt);
    return 0;
}

void tls_creds_free(tls_creds *c)
{
    free(c->cert_pem);
    if (c->key_pem) {
        explicit_bzero(c->key_pem, strlen(c->key_pem));
        free(c->key_pem);
    }
    c->cert_pem = c->key_pem = NULL;
}

void tls_daemon_options(const tls_creds *c, struct MHD_OptionItem opts[4])
{
    opts[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, c->key_pem};
    opts[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, c->cert_pem};
    opts[2] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)TLS_PRIORITIES};
    opts[3] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
}

/* ---------------------------------------------------------------- redirect */

struct tls_redirect {
    struct MHD_Daemon *d;
    int fd;
    int https_port;
};

/* The host part of a Host header, when it is a plain name or address (no user info,
 * no path): what the redirect may point to. */
static int redirect_host(const char *host, char *out, size_t outlen)
{
    if (!host || !*host) return -1;
    size_t n;
    if (host[0] == '[') {
        const char *rb = strchr(host, ']');
        if (!rb) return -1;
        n = (size_t)(rb - host) + 1;
        for (size_t i = 1; i + 1 < n; i++)
            if (!strchr("0123456789abcdefABCDEF:.", host[i])) return -1;
    } else {
        n = strcspn(host, ":");
        for (size_t i = 0; i < n; i++) {
            char ch = host[i];
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                  ch == '.'))
                return -1;
        }
    }
    if (n == 0 || n >= outlen || n > 255) return -1;
    memcpy(out, host, n);
    out[n] = 0;
    return 0;
}

static void put_escaped(buf *b, const char *s, const char *keep)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p) ||
            (*p && strchr(keep, *p))) {
            buf_append(b, (const char *)p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            buf_append(b, e, 3);
        }
    }
}

typedef struct query_out {
    buf *b;
    int n;
} query_out;

static enum MHD_Result put_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    query_out *q = cls;
    buf_append(q->b, q->n++ ? "&" : "?", 1);
    put_escaped(q->b, key, "");
    if (value) {
        buf_append(q->b, "=", 1);
        put_escaped(q->b, value, "");
    }
    return MHD_YES;
}

static enum MHD_Result redirect_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                        const char *version, const char *upload_data, size_t *upload_size,
                                        void **req_cls)
{
    (void)method;
    (void)version;
    (void)upload_data;
    tls_redirect *r = cls;
    if (!*req_cls) {   /* headers only: wait for the end of the request */
        *req_cls = r;
        return MHD_YES;
    }
    if (*upload_size) {   /* a body sent over plain HTTP is not read, only skipped */
        *upload_size = 0;
        return MHD_YES;
    }
    char host[260];
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
    struct MHD_Response *resp;
    unsigned status;
    if (redirect_host(h, host, sizeof host)) {
        static const char bad[] = "Bad Request: use https:// and the server's name or address\n";
        resp = MHD_create_response_from_buffer(sizeof bad - 1, (void *)bad, MHD_RESPMEM_PERSISTENT);
        status = MHD_HTTP_BAD_REQUEST;
    } else {
        buf b;
        buf_init(&b, 16 * 1024);
        buf_puts(&b, "https://");
        buf_puts(&b, host);
        if (r->https_port != 443) {
            char port[16];
            snprintf(port, sizeof port, ":%d", r->https_port);
            buf_puts(&b, port);
        }
        put_escaped(&b, url && *url == '/' ? url : "/", "/!$&'()*+,;=:@");
        query_out q = {&b, 0};
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, put_query, &q);
        static const char moved[] = "Moved to HTTPS\n", too_long[] = "URI Too Long\n";
        /* b.data is NULL when the address outgrew the buffer's cap. */
        resp = MHD_create_response_from_buffer(b.data ? sizeof moved - 1 : sizeof too_long - 1,
                                               (void *)(b.data ? moved : too_long), MHD_RESPMEM_PERSISTENT);
        if (b.data) MHD_add_response_header(resp, "Location", b.data);
        /* 308 keeps the method and body, so a form posted to http:// is not turned into a GET. */
        status = b.data ? MHD_HTTP_PERMANENT_REDIRECT : MHD_HTTP_URI_TOO_LONG;
        buf_free(&b);
    }
    MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result ok = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ok;
}

tls_redirect *tls_redirect_start(int listen_fd, int https_port, char *err, size_t errlen)
{
    tls_redirect *r = xcalloc(1, sizeof *r);
    r->fd = listen_fd;
    r->https_port = https_port;
    r->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL, redirect_request, r,
                            MHD_OPTION_LISTEN_SOCKET, listen_fd,
                            MHD_OPTION_CONNECTION_LIMIT, 256u,
                            MHD_OPTION_CONNECTION_TIMEOUT, 10u,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
                            MHD_OPTION_END);
    if (!r->d) {
        snprintf(err, errlen, "cannot start the HTTP redirect");
        free(r);
        return NULL;
    }
    return r;
}

void tls_redirect_stop(tls_redirect *r)
{
    if (!r) return;
    MHD_stop_daemon(r->d);
    close(r->fd);
    free(r);
}

/* ---------------------------------------------------------------- self-signed */

static int add_name(char **names, int n, int max, const char *name)
{
    if (n >= max) return n;
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name)) return n;
    names[n] = xstrdup(name);
    return n + 1;
}

int tls_machine_names(char **names, int max)
{
    int n = 0;
    char host[256] = "";
    if (!gethostname(host, sizeof host - 8) && host[0]) {
        host[sizeof host - 8] = 0;
        n = add_name(names, n, max, host);
        /* Phones on the same network often reach a machine by its mDNS name. */
        if (!strchr(host, '.')) {
            size_t hl = strlen(host);
            memcpy(host + hl, ".local", sizeof ".local");   /* 8 bytes were kept free above */
            n = add_name(names, n, max, host);
        }
    }
    n = add_name(names, n, max, "localhost");
    n = add_name(names, n, max, "127.0.0.1");
    n = add_name(names, n, max, "::1");
    struct ifaddrs *ifs;
    if (getifaddrs(&ifs) == 0) {
        for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
            if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK)) continue;
            char a[INET6_ADDRSTRLEN];
            if (i->ifa_addr->sa_family == AF_INET) {
                inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, a, sizeof a);
            } else if (i->ifa_addr->sa_family == AF_INET6) {
                const struct in6_addr *v6 = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
                if (IN6_IS_ADDR_LINKLOCAL(v6)) continue;   /* needs a zone; no URL uses it */
                inet_ntop(AF_INET6, v6, a, sizeof a);
            } else {
                continue;
            }
            n = add_name(names, n, max, a);
        }
        freeifaddrs(ifs);
    }
    return n;
}

/* A DNS name as certificates take it: letters, digits, '-', '.', optionally "*.". */
static int valid_dns_name(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > 253) return 0;
    if (!strncmp(s, "*.", 2)) s += 2;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
              *p == '.'))
            return 0;
    return *s && *s != '.' && *s != '-';
}

#define GT(call) do { if ((rc = (call)) < 0) { what = #call; goto fail; } } while (0)

static void random_serial(unsigned char ser[16])
{
    gnutls_rnd(GNUTLS_RND_NONCE, ser, 16);
    ser[0] = (unsigned char)((ser[0] & 0x7f) | 0x40);   /* positive, full length */
}

static int write_file(const char *dir, const char *name, const gnutls_datum_t *parts, int n_parts, mode_t mode,
                      int force, char *err, size_t errlen)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (force ? 0 : O_EXCL), mode);
    if (fd < 0) {
        snprintf(err, errlen, errno == EEXIST ? "%s exists; give --force to replace it" : "cannot write %s: %s", path,
                 strerror(errno));
        return -1;
    }
    fchmod(fd, mode);
    for (int i = 0; i < n_parts; i++)
        if (write(fd, parts[i].data, parts[i].size) != (ssize_t)parts[i].size) {
            snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
    if (fsync(fd) || close(fd)) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Makes a local CA and a server certificate signed by it (keys, names, validity) and
 * writes them out as PEM. One GnuTLS call after another, each checked; split, it would
 * only pass the same handles around. */
int tls_selfsigned(const char *dir, const char *const *given, int n_given, int force, char *err, size_t errlen)
{
    char *names[TLS_MAX_NAMES];
    int n = 0;
    for (int i = 0; i < n_given; i++) n = add_name(names, n, TLS_MAX_NAMES, given[i]);
    if (!n) n = tls_machine_names(names, TLS_MAX_NAMES);
    int ret = -1, rc = 0;
    const char *what = NULL;
    gnutls_x509_privkey_t ca_key = NULL, key = NULL;
    gnutls_x509_crt_t ca = NULL, crt = NULL;
    gnutls_x509_name_constraints_t nc = NULL;
    gnutls_datum_t ca_pem = {0}, crt_pem = {0}, key_pem = {0};
    const char *cn = NULL;
    for (int i = 0; i < n && !cn; i++) {
        unsigned char ip[16];
        if (inet_pton(AF_INET, names[i], ip) != 1 && inet_pton(AF_INET6, names[i], ip) != 1) cn = names[i];
    }
    if (!cn) cn = names[0];

    mkdir(dir, 0750);
    GT(gnutls_x509_privkey_init(&ca_key));
    GT(gnutls_x509_privkey_generate2(ca_key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0, NULL,
                                     0));
    GT(gnutls_x509_privkey_init(&key));
    GT(gnutls_x509_privkey_generate2(key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0, NULL,
                                     0));

    /* An hour back for clocks a little behind; the whole span stays within 825 days. */
    time_t not_before = time(NULL) - 3600;
    unsigned char ser[16], ca_id[64];
    size_t ca_id_len = sizeof ca_id;
    char ca_cn[320];
    snprintf(ca_cn, sizeof ca_cn, "Shouwang %s (one-time CA)", cn);

    /* The authority: a CA for these names only (name constraints), whose key is thrown
     * away below, so the certificate a phone trusts can vouch for nothing else. */
    GT(gnutls_x509_crt_init(&ca));
    GT(gnutls_x509_crt_set_version(ca, 3));
    random_serial(ser);
    GT(gnutls_x509_crt_set_serial(ca, ser, sizeof ser));
    GT(gnutls_x509_crt_set_activation_time(ca, not_before));
    GT(gnutls_x509_crt_set_expiration_time(ca, not_before + (time_t)TLS_DAYS * 86400));
    GT(gnutls_x509_crt_set_dn_by_oid(ca, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, "Shouwang", 8));
    GT(gnutls_x509_crt_set_dn_by_oid(ca, GNUTLS_OID_X520_COMMON_NAME, 0, ca_cn, (unsigned)strlen(ca_cn)));
    GT(gnutls_x509_crt_set_key(ca, ca_key));
    GT(gnutls_x509_crt_set_basic_constraints(ca, 1, 0));
    GT(gnutls_x509_crt_set_key_usage(ca,
                                     GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN | GNUTLS_KEY_DIGITAL_SIGNATURE));
    GT(gnutls_x509_crt_get_key_id(ca, 0, ca_id, &ca_id_len));
    GT(gnutls_x509_crt_set_subject_key_id(ca, ca_id, ca_id_len));
    GT(gnutls_x509_name_constraints_init(&nc));

    /* The server certificate. */
    GT(gnutls_x509_crt_init(&crt));
    GT(gnutls_x509_crt_set_version(crt, 3));
    random_serial(ser);
    GT(gnutls_x509_crt_set_serial(crt, ser, sizeof ser));
    GT(gnutls_x509_crt_set_activation_time(crt, not_before));
    GT(gnutls_x509_crt_set_expiration_time(crt, not_before + (time_t)TLS_DAYS * 86400));
    GT(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, "Shouwang", 8));
    GT(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, (unsigned)strlen(cn)));
    GT(gnutls_x509_crt_set_key(crt, key));
    GT(gnutls_x509_crt_set_basic_constraints(crt, 0, -1));
    GT(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE));
    GT(gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0));
    GT(gnutls_x509_crt_set_authority_key_id(crt, ca_id, ca_id_len));
    unsigned char id[64];
    size_t id_len = sizeof id;
    GT(gnutls_x509_crt_get_key_id(crt, 0, id, &id_len));
    GT(gnutls_x509_crt_set_subject_key_id(crt, id, id_len));
    for (int i = 0; i < n; i++) {
        unsigned char ip[32];
        int len = 0;
        if (inet_pton(AF_INET, names[i], ip) == 1) len = 4;
        else if (inet_pton(AF_INET6, names[i], ip) == 1) len = 16;
        if (len) {
            GT(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, (unsigned)len, GNUTLS_FSAN_APPEND));
            memset(ip + len, 0xff, (size_t)len);   /* the constraint: this one address */
            gnutls_datum_t d = {ip, (unsigned)len * 2};
            GT(gnutls_x509_name_constraints_add_permitted(nc, GNUTLS_SAN_IPADDRESS, &d));
        } else if (valid_dns_name(names[i])) {
            GT(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, names[i], (unsigned)strlen(names[i]),
                                                    GNUTLS_FSAN_APPEND));
            const char *base = strncmp(names[i], "*.", 2) ? names[i] : names[i] + 2;
            gnutls_datum_t d = {(unsigned char *)base, (unsigned)strlen(base)};
            GT(gnutls_x509_name_constraints_add_permitted(nc, GNUTLS_SAN_DNSNAME, &d));
        } else {
            snprintf(err, errlen, "invalid --name %s: not a DNS name or an IP address", names[i]);
            goto done;
        }
    }
    /* Not critical: a client that does not know the extension still accepts the chain. */
    GT(gnutls_x509_crt_set_name_constraints(ca, nc, 0));
    GT(gnutls_x509_crt_sign2(ca, ca, ca_key, GNUTLS_DIG_SHA256, 0));
    GT(gnutls_x509_crt_sign2(crt, ca, ca_key, GNUTLS_DIG_SHA256, 0));

    GT(gnutls_x509_crt_export2(ca, GNUTLS_X509_FMT_PEM, &ca_pem));
    GT(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &crt_pem));
    GT(gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &key_pem));
    gnutls_datum_t chain[2] = {crt_pem, ca_pem};
    if (write_file(dir, "server.key", &key_pem, 1, 0600, force, err, errlen) ||
        write_file(dir, "server.crt", chain, 2, 0644, force, err, errlen) ||
        write_file(dir, "ca.crt", &ca_pem, 1, 0644, force, err, errlen))
        goto done;

    char fp[100], day[32];
    fingerprint_hex(ca, fp, sizeof fp);
    time_t until = not_before + (time_t)TLS_DAYS * 86400;
    strftime(day, sizeof day, "%Y-%m-%d", gmtime(&until));
    printf("Wrote %s/server.key, %s/server.crt and %s/ca.crt, valid until %s, for:\n", dir, dir, dir, day);
    for (int i = 0; i < n; i++) printf("  %s\n", names[i]);
    printf("\nServe with (in the configuration file):\n  tls_cert = %s/server.crt\n  tls_key = %s/server.key\n"
           "\nOn each phone, install %s/ca.crt (see the README: Android \"CA certificate\", iPhone\n"
           "profile + full trust) and compare its SHA-256 fingerprint:\n  %s\n", dir, dir, dir, fp);
    ret = 0;
    goto done;
fail:
    snprintf(err, errlen, "certificate: %s: %s", what, gnutls_strerror(rc));
done:
    gnutls_free(ca_pem.data);
    gnutls_free(crt_pem.data);
    if (key_pem.data) {
        explicit_bzero(key_pem.data, key_pem.size);
        gnutls_free(key_pem.data);
    }
    if (nc) gnutls_x509_name_constraints_deinit(nc);
    if (ca) gnutls_x509_crt_deinit(ca);
    if (crt) gnutls_x509_crt_deinit(crt);
    if (ca_key) gnutls_x509_privkey_deinit(ca_key);   /* the CA key is never written */
    if (key) gnutls_x509_privkey_deinit(key);
    for (int i = 0; i < n; i++) free(names[i]);
    return ret;
}

/* bare_mhd.c — the ceiling: a bare libmicrohttpd server answering one fixed JSON body.
 *
 * It does nothing but what any server built on libmicrohttpd must do (epoll, an
 * internal pool of two threads, keep-alive), so its requests/s and latencies on this
 * machine are the upper bound the real server is measured against in the same run.
 *
 * Usage: bare_mhd PORT   (0 picks a free port; the chosen one is printed on stdout as
 * "listening on http://127.0.0.1:PORT"). Runs until SIGINT or SIGTERM. */
#include <microhttpd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* About 100 bytes, the size of a small API reply such as /health. */
static const char BODY[] =
    "{\"status\":\"ok\",\"version\":\"0.1.0\",\"backend\":\"sqlite\",\"migration\":1,"
    "\"note\":\"bare libmicrohttpd\"}";

static struct MHD_Response *response;

/* Any non-NULL address marks "headers seen"; nothing per request is allocated. */
static int first_call_marker;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    (void)cls; (void)url; (void)method; (void)version; (void)upload_data;
    /* Queueing on the first call (headers only) makes 0.9.75 close the connection
     * after the reply, which costs ~5x in throughput; wait for the second call. */
    if (*req_cls == NULL) {
        *req_cls = &first_call_marker;
        return MHD_YES;
    }
    /* A request with a body is drained before answering, as a real server would. */
    if (*upload_data_size != 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    return MHD_queue_response(conn, MHD_HTTP_OK, response);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    char *end = NULL;
    long port = strtol(argv[1], &end, 10);
    if (*argv[1] == '\0' || *end != '\0' || port < 0 || port > 65535) {
        fprintf(stderr, "bare_mhd: bad port '%s'\n", argv[1]);
        return 2;
    }

    /* Block the stop signals before the pool threads start so they inherit the mask
     * and only sigwait below receives them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    response = MHD_create_response_from_buffer(sizeof BODY - 1, (void *)BODY,
                                               MHD_RESPMEM_PERSISTENT);
    if (response == NULL ||
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "application/json") != MHD_YES) {
        fprintf(stderr, "bare_mhd: cannot build the response\n");
        return 1;
    }

    /* Loopback only: loads in this bench never leave the machine. */
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL,
        on_request, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)2,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1024,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
        MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "bare_mhd: cannot listen on 127.0.0.1:%ld\n", port);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("listening on http://127.0.0.1:%u\n", info ? (unsigned)info->port : (unsigned)port);
    fflush(stdout);

    int sig = 0;
    sigwait(&stop, &sig);
    MHD_stop_daemon(d);
    MHD_destroy_response(response);
    return 0;
}

/* bench/evhttp_floor.c: the fastest evhttp can answer, for comparison.
 *
 * Serves one file's bytes from memory to every request, with the same
 * libevent setup as Parley (one loop per core on a shared socket, the epoll
 * changelist, TCP_NODELAY, one write call per response) and nothing else:
 * no routing, no cache lookup, no headers beyond Content-Type. It writes
 * the way evhttp as shipped does, on the loop's next turn; Parley writes at
 * once (see write_now in src/server/http.c). bench/http_bench.sh runs it
 * beside nginx and Parley, so what belongs to the HTTP library is measured
 * rather than guessed.
 *
 * Usage: evhttp_floor FILE PORT (listens on 127.0.0.1; runs until killed).
 */
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct floor_server {
    const char *body;
    size_t body_n;
    int fd;
} floor_server;

static void
answer(struct evhttp_request *r, void *arg)
{
    const floor_server *fs = arg;
    evhttp_add_header(evhttp_request_get_output_headers(r), "Content-Type",
                      "application/json; charset=utf-8");
    struct evbuffer *b = evbuffer_new();
    evbuffer_add_reference(b, fs->body, fs->body_n, NULL, NULL);
    evhttp_send_reply(r, 200, "OK", b);
    evbuffer_free(b);
}

/* As in Parley: let one write call take the whole response, not 16 KiB. */
static struct bufferevent *
new_bufferevent(struct event_base *base, void *arg)
{
    (void)arg;
    struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (bev != NULL)
        bufferevent_set_max_single_write(bev, 1u << 20);
    return bev;
}

static void *
loop_main(void *arg)
{
    floor_server *fs = arg;
    struct event_config *ec = event_config_new();
    event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    struct event_base *base = event_base_new_with_config(ec);
    event_config_free(ec);
    struct evhttp *http = evhttp_new(base);
    evhttp_set_gencb(http, answer, fs);
    evhttp_set_bevcb(http, new_bufferevent, NULL);
    struct evconnlistener *l = evconnlistener_new(base, NULL, NULL, 0, -1, fs->fd);
    if (base == NULL || http == NULL || l == NULL || evhttp_bind_listener(http, l) == NULL) {
        fprintf(stderr, "evhttp_floor: cannot start a loop\n");
        exit(1);
    }
    event_base_dispatch(base);
    return NULL;
}

int
main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: evhttp_floor FILE PORT\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    static char buf[1 << 22];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    floor_server fs = {buf, n, -1};
    int one = 1;
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)atoi(argv[2]));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fs.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fs.fd < 0 || setsockopt(fs.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        setsockopt(fs.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0 ||
        bind(fs.fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fs.fd, 1024) < 0) {
        perror("evhttp_floor: listen");
        return 1;
    }
    evthread_use_pthreads();
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int nloops = ncpu > 0 && ncpu < 64 ? (int)ncpu : 1;
    pthread_t threads[64];
    for (int i = 0; i < nloops; i++)
        pthread_create(&threads[i], NULL, loop_main, &fs);
    pthread_join(threads[0], NULL);
    return 0;
}

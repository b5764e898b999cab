/* Load and abuse against a real urbisd: many connections at once, slow
 * senders, a client that pipelines without reading, a stream of random
 * bytes, a query of 10,000 terms, wildcards that would expand to every
 * term, the largest offset. Meanwhile a bystander client asks PING and
 * SEARCH in turn; its latency (p50/p99) and the daemon's resident memory
 * are printed after each abuse and checked against loose bounds.
 *
 * Sizes are small for ctest; tools/abuse sets URBIS_LOAD_CONNECTIONS,
 * URBIS_LOAD_RANDOM_MIB and URBIS_LOAD_TRICKLE_MS for the heavy run. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "test.h"

#define BYSTANDER_P99_MAX_MS 2000
#define RSS_MAX_MB 1024

static long env_num(const char *name, long dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : dflt;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long rss_kb(pid_t pid, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, strlen(field)) == 0)
            kb = strtol(line + strlen(field), NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

/* ---- The bystander ------------------------------------------------------ */

#define LAT_MAX 100000

static struct {
    int port;
    atomic_bool stop;
    double lat[LAT_MAX];
    size_t n;
    size_t failed;
    pthread_t thread;
} by;

static void *bystander(void *arg)
{
    (void)arg;
    urb_client_t *c = urb_client_tcp(by.port);
    for (unsigned i = 0; c && !atomic_load(&by.stop); i++) {
        double t = now_ms();
        char *r = urb_client_ask(c, i % 2 ? "SEARCH limit=3 refugee housing"
                                          : "PING");
        if (!r || strncmp(r, "OK ", 3) != 0)
            by.failed++;
        else if (by.n < LAT_MAX)
            by.lat[by.n++] = now_ms() - t;
        free(r);
        usleep(5000);
    }
    urb_client_close(c);
    return NULL;
}

static void bystander_start(int port)
{
    by.port = port;
    by.n = by.failed = 0;
    atomic_store(&by.stop, false);
    pthread_create(&by.thread, NULL, bystander, NULL);
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Stops the bystander, prints its figures and the daemon's memory. */
static void report(const char *what, pid_t daemon)
{
    atomic_store(&by.stop, true);
    pthread_join(by.thread, NULL);
    qsort(by.lat, by.n, sizeof *by.lat, by_double);
    double p50 = by.n ? by.lat[by.n / 2] : -1,
           p99 = by.n ? by.lat[by.n * 99 / 100] : -1;
    long rss = rss_kb(daemon, "VmRSS:"), hwm = rss_kb(daemon, "VmHWM:");
    printf("%-28s bystander %zu answers, %zu failed, p50 %.2f ms, p99 %.2f ms; "
           "urbisd RSS %ld MB, peak %ld MB\n",
           what, by.n, by.failed, p50, p99, rss / 1024, hwm / 1024);
    fflush(stdout);
    CHECK(by.n > 0 && by.failed == 0);
    CHECK(p99 < BYSTANDER_P99_MAX_MS);
    CHECK(hwm > 0 && hwm / 1024 < RSS_MAX_MB);
}

/* The daemon still answers PING on a new connection. */
static bool alive(int port)
{
    urb_client_t *c = urb_client_tcp(port);
    char *r = c ? urb_client_ask(c, "PING") : NULL;
    bool ok = r && strncmp(r, "OK ", 3) == 0;
    free(r);
    urb_client_close(c);
    return ok;
}

/* ---- The abuses --------------------------------------------------------- */

static void many_connections(urb_daemon_t *d, long n)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if ((rlim_t)n + 64 > rl.rlim_max)
        n = (long)rl.rlim_max - 64;
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    urb_client_t **cs = calloc((size_t)n, sizeof *cs);
    bystander_start(d->port);
    long held = 0;
    for (long i = 0; i < n; i++)
        held += (cs[i] = urb_client_tcp(d->port)) != NULL;
    /* Every hundredth one is served while all are held. */
    long answered = 0, asked = 0;
    for (long i = 0; i < n; i += 100) {
        asked++;
        char *r = cs[i] ? urb_client_ask(cs[i], "PING") : NULL;
        answered += r && strncmp(r, "OK ", 3) == 0;
        free(r);
    }
    printf("connections: %ld opened and held, %ld of %ld asked answered\n",
           held, answered, asked);
    CHECK(held == n && answered == asked);
    char what[64];
    snprintf(what, sizeof what, "%ld connections", n);
    report(what, d->pid);
    for (long i = 0; i < n; i++)
        urb_client_close(cs[i]);
    free(cs);
}

static void slow_senders(urb_daemon_t *d, int n, long gap_ms)
{
    static const char line[] = "SEARCH refugee\n";
    urb_client_t *cs[64];
    bystander_start(d->port);
    for (int i = 0; i < n; i++)
        cs[i] = urb_client_tcp(d->port);
    for (size_t k = 0; k < sizeof line - 1; k++) {
        for (int i = 0; i < n; i++)
            if (cs[i])
                urb_client_send(cs[i], line + k, 1);
        usleep((useconds_t)gap_ms * 1000);
    }
    int ok = 0;
    for (int i = 0; i < n; i++) {
        char *r = cs[i] ? urb_client_line(cs[i], 5000) : NULL;
        ok += r && strncmp(r, "OK ", 3) == 0;
        free(r);
        urb_client_close(cs[i]);
    }
    CHECK(ok == n);
    char what[64];
    snprintf(what, sizeof what, "%d senders, 1 byte/%ld ms", n, gap_ms);
    report(what, d->pid);
}

/* Sends without reading until the daemon stops reading for 1 s. */
static void pipeline_unread(urb_daemon_t *d)
{
    static const char line[] = "SEARCH limit=100 refugee\n";
    bystander_start(d->port);
    urb_client_t *c = urb_client_tcp(d->port);
    CHECK(c != NULL);
    fcntl(c->fd, F_SETFL, O_NONBLOCK);
    long sent = 0;
    double last = now_ms(), start = last;
    while (now_ms() - last < 1000 && now_ms() - start < 20000) {
        ssize_t w = send(c->fd, line, sizeof line - 1, MSG_NOSIGNAL);
        if (w > 0) {
            sent += w;
            last = now_ms();
        } else {
            usleep(1000);
        }
    }
    printf("pipelining without reading: the daemon took %ld KB, then stopped "
           "reading\n",
           sent / 1024);
    CHECK(now_ms() - start < 20000);
    report("pipeline, never reading", d->pid);
    urb_client_close(c);
}

/* Random bytes, their replies read and dropped. */
static void random_stream(urb_daemon_t *d, long mib)
{
    bystander_start(d->port);
    urb_client_t *c = urb_client_tcp(d->port);
    CHECK(c != NULL);
    fcntl(c->fd, F_SETFL, O_NONBLOCK);
    char buf[65536], junk[65536];
    uint32_t x = 88172645u;
    long total = mib << 20, sent = 0, replies = 0;
    double start = now_ms();
    bool closed = false;
    while (sent < total && !closed && now_ms() - start < 120000) {
        struct pollfd p = {.fd = c->fd, .events = POLLIN | POLLOUT};
        if (poll(&p, 1, 1000) <= 0)
            continue;
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r = recv(c->fd, junk, sizeof junk, 0);
            closed = r == 0 || (r < 0 && errno != EAGAIN);
            for (ssize_t i = 0; i < r; i++)
                replies += junk[i] == '\n';
        }
        if (!closed && (p.revents & POLLOUT)) {
            for (size_t i = 0; i < sizeof buf; i++) {
                x ^= x << 13, x ^= x >> 17, x ^= x << 5;
                buf[i] = (char)x;
            }
            ssize_t w = send(c->fd, buf, sizeof buf, MSG_NOSIGNAL);
            if (w > 0)
                sent += w;
        }
    }
    printf("random bytes: %ld MiB sent in %.1f s, %ld replies%s\n", sent >> 20,
           (now_ms() - start) / 1e3, replies,
           closed ? ", then closed by the daemon" : "");
    CHECK(closed || sent == total);
    char what[64];
    snprintf(what, sizeof what, "%ld MiB of random bytes", mib);
    report(what, d->pid);
    urb_client_close(c);
}

/* One reply within the query timeout's reach; prints it shortened. */
static void ask_one(urb_client_t *c, const char *what, const char *line,
                    const char *want)
{
    double t = now_ms();
    char *r = urb_client_ask(c, line);
    printf("%s: %.0f ms: %.100s\n", what, now_ms() - t, r ? r : "(no reply)");
    CHECK(r && strncmp(r, want, strlen(want)) == 0);
    free(r);
}

static void hostile_queries(urb_daemon_t *d)
{
    bystander_start(d->port);
    urb_client_t *c = urb_client_tcp(d->port);
    size_t cap = 10000 * 12 + 64;
    char *q = malloc(cap);
    /* 10,000 distinct terms. */
    int n = snprintf(q, cap, "SEARCH op=or");
    for (int i = 0; i < 10000; i++)
        n += snprintf(q + n, cap - (size_t)n, " w%dx", i);
    ask_one(c, "10,000 terms", q, "ERR syntax");
    /* Every word a wildcard: each may expand to every term. */
    n = snprintf(q, cap, "SEARCH op=or");
    for (int i = 0; i < 10000; i++)
        n += snprintf(q + n, cap - (size_t)n, " %c%c*", 'a' + i % 26,
                      'a' + i / 26 % 26);
    ask_one(c, "10,000 wildcards", q, "ERR syntax");
    /* As many as allowed, each of one letter: each expansion is capped. */
    ask_one(c, "ten one-letter wildcards",
            "SEARCH op=or a* b* c* d* e* f* h* r* s* t*", "OK ");
    ask_one(c, "offset at its maximum", "SEARCH offset=10000 limit=100 refugee",
            "OK ");
    ask_one(c, "offset past it", "SEARCH offset=10001 refugee",
            "ERR bad_argument");
    free(q);
    urb_client_close(c);
    report("hostile queries", d->pid);
}

static void abuse(void)
{
    signal(SIGPIPE, SIG_IGN);
    long conns = env_num("URBIS_LOAD_CONNECTIONS", 2000);
    long mib = env_num("URBIS_LOAD_RANDOM_MIB", 16);
    long gap = env_num("URBIS_LOAD_TRICKLE_MS", 50);
    urb_daemon_t d;
    char extra[128];
    /* Lines long enough for 10,000 terms. */
    snprintf(extra, sizeof extra, "--max-connections %ld --max-line 200000",
             conns + 100);
    CHECK(urb_daemon_start(&d, extra) == 0);
    if (!d.pid)
        return;
    printf("urbisd at start: RSS %ld MB\n", rss_kb(d.pid, "VmRSS:") / 1024);
    many_connections(&d, conns);
    CHECK(alive(d.port));
    slow_senders(&d, 20, gap);
    CHECK(alive(d.port));
    pipeline_unread(&d);
    CHECK(alive(d.port));
    random_stream(&d, mib);
    CHECK(alive(d.port));
    hostile_queries(&d);
    CHECK(alive(d.port));
    CHECK(urb_daemon_stop(&d, SIGTERM) == 0);
}

URB_TEST_MAIN(T(abuse))

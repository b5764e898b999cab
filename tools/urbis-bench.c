/* urbis-bench — a load generator for line servers: urbisd, or anything
 * that answers each request line with one reply line in order (such as
 * redis-server's inline commands).
 *
 *   urbis-bench [--host HOST:PORT | --socket PATH] [-c CONNECTIONS]
 *               [-P PIPELINE] [-d SECONDS | -n REQUESTS] [--warmup SECONDS]
 *               [-q QUERYFILE | -r 'REQUEST LINE'] [--rate N] [--json]
 *
 * Each connection keeps up to PIPELINE requests in flight. The requests
 * are the lines of QUERYFILE in turn (blank lines and lines starting with
 * '#' skipped), or the one -r line, each sent with an LF. A reply is a
 * line ending in LF; latency runs from a request's send to its reply.
 *
 * Without --rate the load is closed-loop: a reply makes room for the next
 * request. With --rate N requests fall due at N per second in all, spread
 * evenly over the connections; one that had to wait for a free pipeline
 * slot counts its latency from when it was due, so a server that queues
 * cannot hide it (coordinated omission). The pacing timer ticks each
 * millisecond; that lag of the tool itself is not counted.
 *
 * A reply is an error when its first word is ERR or -ERR; against urbisd
 * (known by a first reply starting OK or ERR) so is any reply but OK.
 * Exit status: 0; 1 when it could not connect, or lost requests with a
 * connection the server closed; 2 on bad usage.
 */
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define WRITE_BATCH 64 /* request lines per uv_write */
#define READ_BUF 65536
#define HEAD_LEN 8 /* bytes of a reply kept to read its first word */

/* ---- Latency histogram --------------------------------------------------
 * Log-linear like HdrHistogram: values under 16 exactly, then 16 buckets
 * per power of two, so a percentile is off by under 1/16. */

#define SUB_BITS 4
#define SUB (1u << SUB_BITS)
#define HIST_BUCKETS (SUB + (64 - SUB_BITS) * SUB)

typedef struct hist {
    uint64_t count, max;
    uint64_t buckets[HIST_BUCKETS];
} hist_t;

static unsigned bucket_of(uint64_t v)
{
    if (v < SUB)
        return (unsigned)v;
    unsigned e = 63 - (unsigned)__builtin_clzll(v); /* e >= SUB_BITS */
    return SUB + (e - SUB_BITS) * SUB +
           (unsigned)((v >> (e - SUB_BITS)) & (SUB - 1));
}

/* The highest value bucket i holds. */
static uint64_t bucket_top(unsigned i)
{
    if (i < SUB)
        return i;
    unsigned e = (i - SUB) / SUB + SUB_BITS, sub = (i - SUB) % SUB;
    return ((uint64_t)(SUB + sub + 1) << (e - SUB_BITS)) - 1;
}

static void hist_add(hist_t *h, uint64_t v)
{
    h->buckets[bucket_of(v)]++;
    h->count++;
    if (v > h->max)
        h->max = v;
}

/* The value at quantile q: the top of its bucket, never past the max. */
static uint64_t hist_quantile(const hist_t *h, double q)
{
    double want = q * (double)h->count;
    uint64_t rank = (uint64_t)want, seen = 0;
    if (rank < want || rank == 0)
        rank++;
    for (unsigned i = 0; i < HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            uint64_t top = bucket_top(i);
            return top < h->max ? top : h->max;
        }
    }
    return h->max;
}

/* ---- State -------------------------------------------------------------- */

typedef struct conn {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } h;
    uv_connect_t connect;
    unsigned id;         /* index in conns[] and in the rate schedule */
    uint64_t next_slot;  /* --rate: requests it has had fall due */
    uint64_t last_pass;  /* --rate: when it last sent what was due */
    char head[HEAD_LEN]; /* the start of the reply being read */
    size_t head_len;
    unsigned first, in_flight;
    uint64_t sent_at[]; /* ring of [pipeline] stamps (ns) in flight */
} conn_t;

static struct {
    const char *host, *socket;
    unsigned connections, pipeline;
    double seconds, warmup, rate;
    uint64_t requests; /* -n; 0 when timed */
    bool json;
} opt = {.host = "127.0.0.1:7700", .connections = 10, .pipeline = 1};

static uv_buf_t *lines; /* the requests, each ending in LF */
static size_t n_lines, next_line;
static char *line_data;

static uv_loop_t *loop;
static struct sockaddr_storage addr;
static conn_t **conns; /* NULL once closed */
static unsigned n_open, n_connected;
static uv_timer_t phase, pace;
static uv_signal_t sigint;

static uint64_t t_start, t_end;
/* Requests stamped from here on are measured; none while warming up. */
static uint64_t measure_start = UINT64_MAX;
static bool finishing, failed;
static enum { PROTO_UNKNOWN, PROTO_URBIS, PROTO_LINE } protocol;

/* Of measured requests: sent, answered, answered with an error, and lost
 * with their connection. */
static uint64_t sent, done, errors, lost;
static hist_t latency; /* microseconds */

/* ---- Connections -------------------------------------------------------- */

static void finish(void);

static void on_conn_closed(uv_handle_t *h)
{
    conn_t *c = h->data;
    conns[c->id] = NULL;
    free(c);
    if (--n_open == 0)
        finish();
}

static void conn_close(conn_t *c)
{
    if (!uv_is_closing(&c->h.handle))
        uv_close(&c->h.handle, on_conn_closed);
}

static void maybe_done(void)
{
    if (opt.requests && done + lost == opt.requests)
        finish();
}

static void conn_lost(conn_t *c, const char *why)
{
    if (uv_is_closing(&c->h.handle))
        return; /* a write cut short by the close: said already */
    if (!finishing) {
        fprintf(stderr,
                "urbis-bench: connection %u: %s, %u requests in "
                "flight\n",
                c->id, why, c->in_flight);
        for (unsigned i = 0; i < c->in_flight; i++)
            if (c->sent_at[(c->first + i) % opt.pipeline] >= measure_start)
                lost++;
        c->in_flight = 0;
        maybe_done();
    }
    conn_close(c);
}

static void on_write(uv_write_t *req, int status)
{
    conn_t *c = req->data;
    free(req);
    if (status < 0)
        conn_lost(c, uv_strerror(status));
}

static void write_lines(conn_t *c, const uv_buf_t *bufs, unsigned n)
{
    uv_write_t *req = malloc(sizeof *req);
    if (!req) {
        conn_lost(c, "out of memory");
        return;
    }
    req->data = c;
    int rc = uv_write(req, &c->h.stream, bufs, n, on_write);
    if (rc < 0) {
        free(req);
        conn_lost(c, uv_strerror(rc));
    }
}

/* Whether another request may go on c now; *stamp gets the time its
 * latency counts from. */
static bool next_stamp(conn_t *c, uint64_t now, uint64_t *stamp)
{
    if (finishing || uv_is_closing(&c->h.handle))
        return false;
    *stamp = now;
    if (opt.rate > 0) {
        double k = (double)c->next_slot * opt.connections + c->id;
        uint64_t due = t_start + (uint64_t)(k * 1e9 / opt.rate);
        if (due > now)
            return false;
        /* Due at the last pass yet not sent then: it waited for a slot,
         * and that wait is the server's. */
        if (due <= c->last_pass)
            *stamp = due;
    }
    if (*stamp >= measure_start) {
        if (opt.requests && sent == opt.requests)
            return false;
        sent++;
    }
    if (opt.rate > 0)
        c->next_slot++;
    return true;
}

/* Sends what may go on c now. */
static void fill(conn_t *c)
{
    uint64_t now = uv_hrtime(), stamp;
    uv_buf_t bufs[WRITE_BATCH];
    unsigned n = 0;
    while (c->in_flight < opt.pipeline && next_stamp(c, now, &stamp)) {
        c->sent_at[(c->first + c->in_flight++) % opt.pipeline] = stamp;
        bufs[n++] = lines[next_line];
        next_line = (next_line + 1) % n_lines;
        if (n == WRITE_BATCH) {
            write_lines(c, bufs, n);
            n = 0;
        }
    }
    if (n)
        write_lines(c, bufs, n);
    c->last_pass = now;
}

static bool word_is(const char *w, size_t n, const char *s)
{
    return n == strlen(s) && memcmp(w, s, n) == 0;
}

/* Judges a reply by its first word, from its first bytes. */
static bool reply_is_error(const char *head, size_t len)
{
    size_t n = 0;
    while (n < len && head[n] != ' ' && head[n] != '\r')
        n++;
    bool ok = word_is(head, n, "OK"), err = word_is(head, n, "ERR");
    if (protocol == PROTO_UNKNOWN)
        protocol = ok || err ? PROTO_URBIS : PROTO_LINE;
    return err || word_is(head, n, "-ERR") || (protocol == PROTO_URBIS && !ok);
}

static void on_reply(conn_t *c)
{
    if (finishing)
        return;
    if (c->in_flight == 0) {
        /* Nothing asked: urbisd's ERR busy before it closes, say. */
        if (measure_start != UINT64_MAX)
            errors++;
        return;
    }
    uint64_t stamp = c->sent_at[c->first];
    c->first = (c->first + 1) % opt.pipeline;
    c->in_flight--;
    if (stamp < measure_start)
        return;
    hist_add(&latency, (uv_hrtime() - stamp) / 1000);
    done++;
    if (reply_is_error(c->head, c->head_len))
        errors++;
    maybe_done();
}

/* Every read is consumed before the next, so one buffer serves all
 * connections: libuv calls on_read before it asks for a buffer again. */
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    static char space[READ_BUF];
    (void)h, (void)suggested;
    *buf = uv_buf_init(space, sizeof space);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    conn_t *c = s->data;
    if (nread < 0) {
        conn_lost(c, nread == UV_EOF ? "closed by the server"
                                     : uv_strerror((int)nread));
        return;
    }
    const char *p = buf->base, *end = p + nread;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        if (n > HEAD_LEN - c->head_len)
            n = HEAD_LEN - c->head_len;
        memcpy(c->head + c->head_len, p, n);
        c->head_len += n;
        if (!nl)
            break;
        on_reply(c);
        c->head_len = 0;
        p = nl + 1;
    }
    fill(c);
}

/* ---- The run ------------------------------------------------------------ */

static uint64_t ms(double seconds)
{
    return (uint64_t)(seconds * 1000 + 0.5);
}

static void on_end(uv_timer_t *t)
{
    (void)t;
    finish();
}

static void begin_measuring(void)
{
    measure_start = uv_hrtime();
    if (!opt.requests)
        uv_timer_start(&phase, on_end, ms(opt.seconds), 0);
}

static void on_warmup_end(uv_timer_t *t)
{
    (void)t;
    begin_measuring();
}

static void on_pace(uv_timer_t *t)
{
    (void)t;
    for (unsigned i = 0; i < opt.connections; i++)
        if (conns[i])
            fill(conns[i]);
}

static void start(void)
{
    t_start = uv_hrtime();
    if (opt.warmup > 0)
        uv_timer_start(&phase, on_warmup_end, ms(opt.warmup), 0);
    else
        begin_measuring();
    if (opt.rate > 0)
        uv_timer_start(&pace, on_pace, 1, 1);
    for (unsigned i = 0; i < opt.connections; i++)
        if (conns[i])
            fill(conns[i]);
}

static void on_connect(uv_connect_t *req, int status)
{
    conn_t *c = req->data;
    if (status == UV_ECANCELED)
        return;
    if (status < 0) {
        fprintf(stderr, "urbis-bench: cannot connect to %s: %s\n",
                opt.socket ? opt.socket : opt.host, uv_strerror(status));
        failed = true;
        finish();
        return;
    }
    if (!opt.socket)
        uv_tcp_nodelay(&c->h.tcp, 1);
    uv_read_start(&c->h.stream, on_alloc, on_read);
    if (++n_connected == opt.connections)
        start();
}

static int open_conn(unsigned id)
{
    conn_t *c = calloc(1, sizeof *c + opt.pipeline * sizeof c->sent_at[0]);
    if (!c)
        return UV_ENOMEM;
    c->id = id;
    c->connect.data = c;
    if (opt.socket)
        uv_pipe_init(loop, &c->h.pipe, 0);
    else
        uv_tcp_init(loop, &c->h.tcp);
    c->h.handle.data = c;
    conns[id] = c;
    n_open++;
    int rc = 0;
    if (opt.socket)
        uv_pipe_connect(&c->connect, &c->h.pipe, opt.socket, on_connect);
    else
        rc = uv_tcp_connect(&c->connect, &c->h.tcp,
                            (const struct sockaddr *)&addr, on_connect);
    if (rc < 0)
        conn_close(c);
    return rc;
}

/* Stops sending and closes every handle; uv_run then returns. */
static void finish(void)
{
    if (finishing)
        return;
    finishing = true;
    t_end = uv_hrtime();
    uv_close((uv_handle_t *)&phase, NULL);
    uv_close((uv_handle_t *)&pace, NULL);
    uv_close((uv_handle_t *)&sigint, NULL);
    for (unsigned i = 0; i < opt.connections; i++)
        if (conns[i])
            conn_close(conns[i]);
}

static void on_sigint(uv_signal_t *s, int signum)
{
    (void)s, (void)signum;
    finish();
}

/* ---- Setup -------------------------------------------------------------- */

static bool blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t')
            return false;
    return true;
}

/* Takes the request lines out of data[0..len) in place: CRs before LFs
 * dropped, blank and '#' lines skipped, each given its LF. data has room
 * for one byte more. */
static int split_lines(char *data, size_t len)
{
    size_t cap = 1;
    for (size_t i = 0; i < len; i++)
        cap += data[i] == '\n';
    if (!(lines = calloc(cap, sizeof *lines))) {
        fputs("urbis-bench: out of memory\n", stderr);
        return -1;
    }
    char *out = data;
    for (char *p = data, *end = data + len; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        char *next = nl ? nl + 1 : end;
        if (n && p[n - 1] == '\r')
            n--;
        if (!blank(p, n) && p[0] != '#') {
            memmove(out, p, n);
            out[n] = '\n';
            lines[n_lines++] = uv_buf_init(out, (unsigned)n + 1);
            out += n + 1;
        }
        p = next;
    }
    return 0;
}

static int load_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t len = 0, cap = 0, n = 1;
    while (n > 0) {
        if (len == cap) {
            cap = cap ? 2 * cap : 65536;
            char *p = realloc(line_data, cap + 1);
            if (!p) {
                fclose(f);
                fputs("urbis-bench: out of memory\n", stderr);
                return -1;
            }
            line_data = p;
        }
        n = fread(line_data + len, 1, cap - len, f);
        len += n;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "urbis-bench: cannot read %s\n", path);
        return -1;
    }
    return split_lines(line_data, len);
}

static int resolve(const char *hostport)
{
    char host[256];
    const char *colon = strrchr(hostport, ':');
    size_t n = colon ? (size_t)(colon - hostport) : 0;
    if (n >= 2 && hostport[0] == '[' && hostport[n - 1] == ']')
        hostport++, n -= 2; /* [::1]:7700 */
    if (!colon || n == 0 || n >= sizeof host) {
        fprintf(stderr, "urbis-bench: --host wants HOST:PORT, not %s\n",
                hostport);
        return -1;
    }
    memcpy(host, hostport, n);
    host[n] = '\0';
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
    int rc = getaddrinfo(host, colon + 1, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "urbis-bench: %s: %s\n", hostport, gai_strerror(rc));
        return -1;
    }
    memcpy(&addr, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return 0;
}

static void usage(FILE *f)
{
    fputs("usage: urbis-bench [--host HOST:PORT | --socket PATH] "
          "[-c CONNECTIONS] [-P PIPELINE]\n"
          "                   [-d SECONDS | -n REQUESTS] [--warmup SECONDS]\n"
          "                   [-q QUERYFILE | -r 'REQUEST LINE'] [--rate N] "
          "[--json]\n"
          "  --host HOST:PORT   TCP server (default 127.0.0.1:7700)\n"
          "  --socket PATH      Unix socket server instead\n"
          "  -c N               connections (default 10)\n"
          "  -P N               requests in flight per connection (default 1)\n"
          "  -d SECONDS         measure for this long (default 10)\n"
          "  -n REQUESTS        measure this many requests instead\n"
          "  --warmup SECONDS   load before measuring (default 0)\n"
          "  -q FILE            request lines, taken in turn\n"
          "  -r LINE            one request line, sent again and again\n"
          "  --rate N           open loop: N requests/s in all\n"
          "  --json             print one JSON object\n",
          f);
}

static bool parse_double(const char *s, double min, double max, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= min && v <= max))
        return false;
    *out = v;
    return true;
}

static bool parse_count(const char *s, double max, uint64_t *out)
{
    double v;
    if (!parse_double(s, 1, max, &v) || v != (double)(uint64_t)v)
        return false;
    *out = (uint64_t)v;
    return true;
}

static int parse_args(int argc, char **argv)
{
    enum { O_HOST = 256, O_SOCKET, O_WARMUP, O_RATE, O_JSON };
    static const struct option longs[] = {
        {"host", required_argument, NULL, O_HOST},
        {"socket", required_argument, NULL, O_SOCKET},
        {"warmup", required_argument, NULL, O_WARMUP},
        {"rate", required_argument, NULL, O_RATE},
        {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *file = NULL, *line = NULL;
    uint64_t v;
    bool ok = true, timed = false;
    int ch;
    while (ok &&
           (ch = getopt_long(argc, argv, "c:P:d:n:q:r:h", longs, NULL)) != -1) {
        switch (ch) {
        case O_HOST:
            opt.host = optarg;
            break;
        case O_SOCKET:
            opt.socket = optarg;
            break;
        case 'c':
            ok = parse_count(optarg, 100000, &v);
            opt.connections = (unsigned)v;
            break;
        case 'P':
            ok = parse_count(optarg, 100000, &v);
            opt.pipeline = (unsigned)v;
            break;
        case 'd':
            ok = parse_double(optarg, 0.001, 1e6, &opt.seconds);
            timed = true;
            break;
        case 'n':
            ok = parse_count(optarg, 1e15, &opt.requests);
            break;
        case O_WARMUP:
            ok = parse_double(optarg, 0, 1e6, &opt.warmup);
            break;
        case O_RATE:
            ok = parse_double(optarg, 0.001, 1e9, &opt.rate);
            break;
        case 'q':
            file = optarg;
            break;
        case 'r':
            line = optarg;
            break;
        case O_JSON:
            opt.json = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            ok = false;
        }
    }
    if (!ok || optind != argc || (timed && opt.requests) || !file == !line) {
        if (ok && !file == !line)
            fputs("urbis-bench: give -q QUERYFILE or -r LINE\n", stderr);
        usage(stderr);
        return -1;
    }
    if (!timed && !opt.requests)
        opt.seconds = 10;
    if (line) {
        size_t n = strlen(line);
        if (memchr(line, '\n', n) || blank(line, n)) {
            fputs("urbis-bench: -r wants one request line\n", stderr);
            return -1;
        }
        if (!(line_data = malloc(n + 1))) {
            fputs("urbis-bench: out of memory\n", stderr);
            return -1;
        }
        memcpy(line_data, line, n);
        if (split_lines(line_data, n) < 0)
            return -1;
    } else if (load_file(file) < 0) {
        return -1;
    }
    if (n_lines == 0) {
        fprintf(stderr, "urbis-bench: no request lines in %s\n",
                line ? "-r" : file);
        return -1;
    }
    return opt.socket ? 0 : resolve(opt.host);
}

static void report(void)
{
    double secs = (double)(t_end - measure_start) / 1e9;
    double rps = secs > 0 ? (double)done / secs : 0;
    static const struct {
        const char *name, *key;
        double q;
    } qs[] = {{"p50", "p50", 0.5},
              {"p90", "p90", 0.9},
              {"p99", "p99", 0.99},
              {"p99.9", "p999", 0.999}};
    const char *proto = protocol == PROTO_URBIS ? "urbis" : "line";
    if (opt.json) {
        printf("{\"connections\":%u,\"pipeline\":%u,\"rate_target\":%.0f,"
               "\"seconds\":%.3f,\"requests\":%llu,\"errors\":%llu,"
               "\"lost\":%llu,\"rps\":%.1f,\"protocol\":\"%s\","
               "\"latency_us\":{",
               opt.connections, opt.pipeline, opt.rate, secs,
               (unsigned long long)done, (unsigned long long)errors,
               (unsigned long long)lost, rps, proto);
        for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
            printf("\"%s\":%llu,", qs[i].key,
                   (unsigned long long)hist_quantile(&latency, qs[i].q));
        printf("\"max\":%llu}}\n", (unsigned long long)latency.max);
        return;
    }
    printf("%s, %u connections, pipeline %u, ",
           opt.socket ? opt.socket : opt.host, opt.connections, opt.pipeline);
    if (opt.rate > 0)
        printf("open loop at %.0f/s\n", opt.rate);
    else
        printf("closed loop\n");
    printf("  %.2f s  %llu requests  %.1f requests/s  %llu errors", secs,
           (unsigned long long)done, rps, (unsigned long long)errors);
    if (lost)
        printf("  %llu lost", (unsigned long long)lost);
    printf("  (%s protocol)\n  latency us ", proto);
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
        printf(" %s %llu ", qs[i].name,
               (unsigned long long)hist_quantile(&latency, qs[i].q));
    printf(" max %llu\n", (unsigned long long)latency.max);
}

int main(int argc, char **argv)
{
    if (parse_args(argc, argv) < 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    loop = uv_default_loop();
    uv_timer_init(loop, &phase);
    uv_timer_init(loop, &pace);
    uv_signal_init(loop, &sigint);
    uv_signal_start(&sigint, on_sigint, SIGINT);
    if (!(conns = calloc(opt.connections, sizeof *conns))) {
        fputs("urbis-bench: out of memory\n", stderr);
        return 1;
    }
    for (unsigned i = 0; i < opt.connections && !finishing; i++) {
        int rc = open_conn(i);
        if (rc < 0) {
            fprintf(stderr, "urbis-bench: connection %u: %s\n", i,
                    uv_strerror(rc));
            failed = true;
            finish();
        }
    }
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    int status = failed || lost ? 1 : 0;
    if (!failed && measure_start == UINT64_MAX) {
        fputs("urbis-bench: stopped before measuring\n", stderr);
        status = 1;
    } else if (!failed) {
        report();
    }
    free(conns);
    free(lines);
    free(line_data);
    return status;
}

/* bench-inproc — the reference rate for tools/bench-search: the SEARCH
 * lines of a query file run on one thread through urbisd's own worker
 * code (daemon/search.c, linked in), with no sockets in between.
 *
 *   bench-inproc [-d SECONDS] [--json] INDEX QUERYFILE
 *
 * The lines are urbis-bench's (blank lines and lines starting with '#'
 * skipped). Their options are read by urbisd's own code (daemon/args.c),
 * once, before any timing: what is timed is urb_search_run, the work a daemon worker does
 * for a request. One pass over all the queries warms the caches; then the
 * queries run in turn for SECONDS (default 5) and the rate is printed.
 * --each instead prints every query's own mean time, with the comment
 * line above it in the file (its class), to find the slow ones.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "engine.h"
#include "log.h"
#include "search.h"
#include "urbis/proto.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

/* A SEARCH request line to the worker's arguments, read as urbisd reads
 * them (daemon/args.c); false with *e saying why. */
static bool parse_search(urb_request_t *rq, const char *line, size_t len,
                         urb_search_args_t *a, urb_arg_err_t *e)
{
    memset(a, 0, sizeof *a);
    snprintf(e->msg, sizeof e->msg, "not a SEARCH request");
    return urb_request_parse(rq, line, len) == 1 &&
           urb_str_ieq(rq->verb, "SEARCH") && urb_search_args_parse(rq, a, e);
}

/* Reads the queries, and into lines[i] (freed by the caller) query i's
 * line after the '#' comment above it, for --each; NULL after saying why. */
static urb_search_args_t *load_queries(const char *path, size_t *count,
                                       char ***lines)
{
    char **ls = NULL, section[64] = "";
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return NULL;
    }
    urb_search_args_t *qs = NULL;
    size_t n = 0, cap = 0, lineno = 0, size = 0;
    char *line = NULL;
    ssize_t len;
    bool ok = true;
    urb_request_t rq;
    urb_request_init(&rq);
    while (ok && (len = getline(&line, &size, f)) >= 0) {
        lineno++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len && line[0] == '#') {
            size_t sp = 1 + strspn(line + 1, " ");
            snprintf(section, sizeof section, "%.*s", (int)(len - sp), line + sp);
            continue;
        }
        if (len == 0 || strspn(line, " \t") == (size_t)len)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            urb_search_args_t *p = realloc(qs, cap * sizeof *qs);
            char **pl = p ? realloc(ls, cap * sizeof *ls) : NULL;
            if (p)
                qs = p;
            if (!pl) {
                fputs("bench-inproc: out of memory\n", stderr);
                ok = false;
                break;
            }
            ls = pl;
        }
        ls[n] = NULL;
        urb_arg_err_t e;
        if (!parse_search(&rq, line, (size_t)len, &qs[n], &e)) {
            fprintf(stderr, "bench-inproc: %s:%zu: %s: %.*s\n", path, lineno,
                    e.msg, (int)len, line);
            urb_search_args_clear(&qs[n]);
            ok = false;
        } else if (asprintf(&ls[n], "%s\t%.*s", section, (int)len, line) < 0) {
            ls[n] = NULL;
            urb_search_args_clear(&qs[n]);
            fputs("bench-inproc: out of memory\n", stderr);
            ok = false;
        } else {
            n++;
        }
    }
    urb_request_free(&rq);
    free(line);
    fclose(f);
    if (ok && n == 0)
        fprintf(stderr, "bench-inproc: no queries in %s\n", path);
    if (!ok || n == 0) {
        for (size_t i = 0; i < n; i++) {
            urb_search_args_clear(&qs[i]);
            free(ls[i]);
        }
        free(qs);
        free(ls);
        return NULL;
    }
    *count = n;
    *lines = ls;
    return qs;
}

/* --each: the mean time of every query alone (run for 20 ms, at least 3
 * times), one line each: microseconds, class (the comment above it),
 * request line; after each class, its mean and its slowest. */
static void each(urb_worker_t *w, const urb_search_args_t *qs,
                 char *const *lines, size_t n, urb_buf_t *reply)
{
    double sum = 0, max = 0;
    size_t in_class = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned runs = 0;
        double t0 = now_s(), elapsed;
        do {
            urb_search_run(w, &qs[i], reply);
            runs++;
        } while ((elapsed = now_s() - t0) < 0.02 || runs < 3);
        double us = elapsed / runs * 1e6;
        printf("%8.0f\t%s\n", us, lines[i]);
        sum += us;
        max = us > max ? us : max;
        in_class++;
        size_t cl = strcspn(lines[i], "\t");
        if (i + 1 == n || strncmp(lines[i], lines[i + 1], cl + 1) != 0) {
            printf("# %.*s: %zu queries, mean %.0f us, slowest %.0f us\n",
                   (int)cl, lines[i], in_class, sum / (double)in_class, max);
            sum = max = 0;
            in_class = 0;
        }
    }
}

/* Warms up, then times the queries in turn (or each alone). 0, or 1
 * after saying why. */
static int bench(urb_engine_t *engine, const urb_search_args_t *qs,
                 char *const *lines, size_t n, double seconds, bool json,
                 bool per_query)
{
    urb_worker_t *w = urb_worker_new(engine);
    if (!w) {
        fputs("bench-inproc: out of memory\n", stderr);
        return 1;
    }
    urb_buf_t reply = {0};
    for (size_t i = 0; i < n; i++)
        if (!urb_search_run(w, &qs[i], &reply))
            fprintf(stderr, "bench-inproc: %s: %.*s", qs[i].text,
                    (int)reply.len, reply.data);

    if (per_query) {
        each(w, qs, lines, n, &reply);
        urb_buf_free(&reply);
        urb_worker_free(w);
        return 0;
    }
    /* CPU time as well: on a shared machine it says what a query costs
     * when the wall clock also counts other programs' turns. */
    uint64_t count = 0, errors = 0;
    double t0 = now_s(), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID), elapsed;
    do {
        errors += !urb_search_run(w, &qs[count++ % n], &reply);
    } while ((elapsed = now_s() - t0) < seconds);
    double qps = (double)count / elapsed;
    double cpu_us = (clock_s(CLOCK_THREAD_CPUTIME_ID) - c0) * 1e6 / count;
    if (json)
        printf("{\"queries\":%llu,\"seconds\":%.3f,\"qps\":%.1f,"
               "\"errors\":%llu,\"mean_us\":%.1f,\"cpu_us\":%.1f}\n",
               (unsigned long long)count, elapsed, qps,
               (unsigned long long)errors, 1e6 / qps, cpu_us);
    else
        printf("%llu queries in %.2f s: %.1f queries/s, %.0f us each "
               "(%.0f us CPU), %llu errors\n",
               (unsigned long long)count, elapsed, qps, 1e6 / qps, cpu_us,
               (unsigned long long)errors);
    urb_buf_free(&reply);
    urb_worker_free(w);
    return 0;
}

static void usage(FILE *f)
{
    fputs("usage: bench-inproc [-d SECONDS] [--json | --each] INDEX QUERYFILE\n",
          f);
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"json", no_argument, NULL, 'j'},
        {"each", no_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    double seconds = 5;
    bool json = false, per_query = false;
    char *end;
    int ch;
    while ((ch = getopt_long(argc, argv, "d:h", longs, NULL)) != -1) {
        switch (ch) {
        case 'd':
            seconds = strtod(optarg, &end);
            if (end == optarg || *end || !(seconds > 0)) {
                usage(stderr);
                return 2;
            }
            break;
        case 'j':
            json = true;
            break;
        case 'e':
            per_query = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind != 2) {
        usage(stderr);
        return 2;
    }
    size_t n;
    char **lines;
    urb_search_args_t *qs = load_queries(argv[optind + 1], &n, &lines);
    if (!qs)
        return 2;

    /* The engine opens the generation INDEX/current names, as urbisd's
     * does at start; the worker opens its own handle on it. */
    urb_log_set_level(URB_LOG_WARN);
    urb_engine_t engine;
    int status = 1;
    if (urb_engine_init(&engine, argv[optind], 2000) == 0)
        status = bench(&engine, qs, lines, n, seconds, json, per_query);
    urb_engine_free(&engine);
    for (size_t i = 0; i < n; i++) {
        urb_search_args_clear(&qs[i]);
        free(lines[i]);
    }
    free(qs);
    free(lines);
    return status;
}

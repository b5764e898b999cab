/* Past one machine, on one machine: a corpus indexed into 4 shards and
 * into one index, the shards served by urbisd locally and through
 * xapian-tcpsrv on loopback ports, a shard server killed and stopped
 * mid-test, and a replica kept by xapian-replicate. Skipped (77) where
 * xapian-tools is not installed. */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "test.h"

#define SHARDS 4

/* The corpus and its two indexes, made by the first case that needs them
 * and shared by the others. */
static struct {
    char *dir;
    char corpus[600], one[600], four[600];
    bool ready;
} fx;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

static bool setup(void)
{
    if (fx.ready)
        return true;
    fx.dir = urb_test_tmpdir();
    snprintf(fx.corpus, sizeof fx.corpus, "%s/corpus", fx.dir);
    snprintf(fx.one, sizeof fx.one, "%s/one", fx.dir);
    snprintf(fx.four, sizeof fx.four, "%s/four", fx.dir);
    /* Generated reports, and the fixtures. Languages without Hunspell
     * dictionaries keep the runs short. */
    if (sh("'%s' --seed 9 --count 60 --langs en,es,de,fr,sv,it '%s' >/dev/null && "
           "cp -r '%s' '%s/fixtures'",
           getenv("URBIS_GEN_CORPUS"), fx.corpus, getenv("URBIS_FIXTURES"),
           fx.corpus) != 0)
        return false;
    fx.ready = urb_run_indexer(fx.corpus, fx.one, NULL) == 0 &&
               urb_run_indexer(fx.corpus, fx.four, "--shards 4") == 0;
    return fx.ready;
}

/* A daemon on `index` inside fx.dir (which it does not own), its workers
 * warm: the first query of each loads the stemmers and dictionaries of
 * every language, which can take longer than a query may. */
static bool serve(urb_daemon_t *d, const char *index, const char *name,
                  const char *extra)
{
    memset(d, 0, sizeof *d);
    snprintf(d->index, sizeof d->index, "%s", index);
    snprintf(d->sock, sizeof d->sock, "%s/%s.s", fx.dir, name);
    snprintf(d->log, sizeof d->log, "%s/%s.log", fx.dir, name);
    d->pid = urb_daemon_spawn(d, extra);
    if (urb_daemon_wait(d) < 0)
        return false;
    urb_client_t *c = urb_client_tcp(d->port);
    int ok = 0;
    for (int i = 0; c && i < 60 && ok < 2; i++) {
        char *r = urb_client_ask(c, "SEARCH housing");
        ok = r && strncmp(r, "OK ", 3) == 0 ? ok + 1 : 0;
        free(r);
    }
    urb_client_close(c);
    return ok == 2;
}

/* Starts a program with its output in fx.dir/log; returns the pid. */
static pid_t spawn(const char *log, char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        /* Its own process group: xapian-tcpsrv stopping signals its
         * whole group, which would otherwise be the test's and ctest's. */
        setpgid(0, 0);
        char path[700];
        snprintf(path, sizeof path, "%s/%s", fx.dir, log);
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Signals the program's whole group: xapian-tcpsrv serves each
 * connection in a child of its own, and a machine that dies takes them
 * all. */
static void reap(pid_t pid, int sig)
{
    if (pid > 0) {
        kill(-pid, sig);
        waitpid(pid, NULL, 0);
    }
}

/* xapian-tcpsrv on a free loopback port serving `shards`; waits until it
 * accepts connections. */
static pid_t tcpsrv(int port, const char *log, const char *a, const char *b)
{
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    char *argv[] = {"xapian-tcpsrv", "--interface", "127.0.0.1", "--port", p,
                    (char *)a, (char *)b, NULL};
    pid_t pid = spawn(log, argv);
    for (int i = 0; i < 200; i++) {
        urb_client_t *c = urb_client_tcp(port);
        if (c) {
            urb_client_close(c);
            break;
        }
        usleep(25000);
    }
    return pid;
}

static json_t *ask(urb_client_t *c, const char *line)
{
    char *r = urb_client_ask(c, line);
    json_t *j = urb_ok(r);
    if (!j)
        fprintf(stderr, "%s -> %s\n", line, r ? r : "(no reply)");
    free(r);
    return j;
}

/* The hits' ids in order, comma-separated, into out. */
static void ids(const json_t *j, char *out, size_t cap)
{
    size_t i, n = 0;
    json_t *h;
    out[0] = '\0';
    json_array_foreach(json_object_get(j, "hits"), i, h)
        n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s", i ? "," : "",
                              json_string_value(json_object_get(h, "id")));
}

/* Queries whose top 10 from the shards must equal the single index's,
 * hit for hit; with facets, also the exact total and every count. Each
 * keeps to one language: a word expanded into every language is an
 * OP_SYNONYM whose frequency Xapian 1.4 estimates from the stems each
 * shard holds, so its scores may move in the third digit
 * (docs/scaling.md). */
static const char *const same_queries[] = {
    "SEARCH lang=en housing",
    "SEARCH lang=en migration integration",
    "SEARCH facets=lang,country,network,year lang=en integration",
    "SEARCH facets=lang,country limit=20 lang=en housing OR language",
    "SEARCH filter=lang:en sort=-year lang=en reception",
    "SEARCH lang=en \"city council\"",
    "SEARCH lang=es vivienda",
    "SEARCH facets=network filter=year:2015..2020 lang=en migrants",
};

static void check_same_clients(urb_client_t *want, urb_client_t *got,
                               bool spelling)
{
    size_t nq = sizeof same_queries / sizeof *same_queries;
    for (size_t q = 0; q < nq; q++) {
        json_t *a = ask(want, same_queries[q]), *b = ask(got, same_queries[q]);
        CHECK(a && b);
        if (!a || !b) {
            json_decref(a);
            json_decref(b);
            continue;
        }
        char ia[2048], ib[2048];
        ids(a, ia, sizeof ia);
        ids(b, ib, sizeof ib);
        CHECK(ia[0] != '\0');
        if (strcmp(ia, ib) != 0)
            fprintf(stderr, "%s:\n  one:    %s\n  shards: %s\n", same_queries[q],
                    ia, ib);
        CHECK_STR(ib, ia);
        json_t *fa = json_object_get(a, "facets");
        if (fa) {
            CHECK(json_equal(fa, json_object_get(b, "facets")));
            CHECK(json_equal(json_object_get(a, "total"),
                             json_object_get(b, "total")));
        }
        json_decref(a);
        json_decref(b);
    }
    /* Spelling comes from every shard's table (local shards only: the
     * remote backend of Xapian 1.4 has no spelling). */
    if (spelling) {
        json_t *a = ask(want, "SEARCH integratoin"), *b = ask(got, "SEARCH integratoin");
        CHECK(a && b && json_equal(json_object_get(a, "corrected"),
                                   json_object_get(b, "corrected")));
        json_decref(a);
        json_decref(b);
    }
    json_t *a = ask(want, "HELLO"), *b = ask(got, "HELLO");
    CHECK(a && b && json_equal(json_object_get(a, "documents"),
                               json_object_get(b, "documents")));
    json_decref(a);
    json_decref(b);
    /* A report is found by its id in whichever shard holds it. */
    char *r = urb_client_ask(got, "GET valencia-en");
    CHECK(r && strncmp(r, "OK ", 3) == 0);
    free(r);
}

/* check_same_clients over a new connection to each of two daemons that
 * `up` says were served. */
static void check_same(bool up, int want, int got, bool spelling)
{
    CHECK(up);
    urb_client_t *a = up ? urb_client_tcp(want) : NULL;
    urb_client_t *b = up ? urb_client_tcp(got) : NULL;
    CHECK(!up || (a && b));
    if (a && b)
        check_same_clients(a, b, spelling);
    urb_client_close(a);
    urb_client_close(b);
}

static void test_local_shards_rank_as_one_index(void)
{
    CHECK(setup());
    urb_daemon_t one, four;
    bool up = serve(&one, fx.one, "one", NULL) && serve(&four, fx.four, "four", NULL);
    check_same(up, one.port, four.port, true);
    CHECK(urb_daemon_stop(&one, SIGTERM) == 0);
    CHECK(urb_daemon_stop(&four, SIGTERM) == 0);
}

/* Writes INDEX/map-N (a shard map folder) and points INDEX/current at it. */
static void write_map(const char *index, int gen, const char *lines)
{
    CHECK(sh("mkdir -p '%s/map-%d' && printf '%%s' '%s' > '%s/map-%d/XAPIANDB' && "
             "printf 'auto map-%d\\n' > '%s/current.tmp' && "
             "mv '%s/current.tmp' '%s/current'",
             index, gen, lines, index, gen, gen, index, index, index) == 0);
}

static long ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_remote_shards_rank_as_one_index_and_fail_clearly(void)
{
    CHECK(setup());
    /* Two shard servers, two shards each, as on two machines. */
    char s[SHARDS][700], remote[700], lines[256];
    for (int k = 0; k < SHARDS; k++)
        snprintf(s[k], sizeof s[k], "%s/shard-%d/current", fx.four, k);
    int p1 = urb_free_port(), p2 = urb_free_port();
    pid_t t1 = tcpsrv(p1, "tcpsrv1.log", s[0], s[1]);
    pid_t t2 = tcpsrv(p2, "tcpsrv2.log", s[2], s[3]);
    snprintf(remote, sizeof remote, "%s/remote", fx.dir);
    snprintf(lines, sizeof lines, "remote 127.0.0.1:%d\nremote 127.0.0.1:%d\n", p1, p2);
    CHECK(mkdir(remote, 0755) == 0);
    write_map(remote, 1, lines);

    urb_daemon_t one, rem;
    bool up = serve(&one, fx.one, "one-r", NULL) &&
              serve(&rem, remote, "remote", "--query-timeout-ms 1500");
    CHECK(up);
    urb_client_t *a = urb_client_tcp(one.port), *b = urb_client_tcp(rem.port);
    if (up && a && b)
        check_same_clients(a, b, false);

    /* A shard server killed: a clear ERR unavailable at once, no hang;
     * the other commands still answer. (Queries not asked before: the
     * reply cache still answers those, from a whole generation.) */
    reap(t2, SIGKILL);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char *r = urb_client_ask(b, "SEARCH limit=3 housing");
    CHECK(r && urb_is_err(r, "unavailable"));
    CHECK(ms_since(&t0) < 1500);
    free(r);
    r = urb_client_ask(b, "PING");
    CHECK(r && strncmp(r, "OK", 2) == 0);
    free(r);

    /* Back on the same port: the next query reconnects. */
    t2 = tcpsrv(p2, "tcpsrv2.log", s[2], s[3]);
    json_t *j = ask(b, "SEARCH limit=4 housing");
    CHECK(j != NULL);
    json_decref(j);

    /* A shard server that hangs (stopped): the query is answered by the
     * time limit, never left waiting. */
    kill(-t1, SIGSTOP);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = urb_client_ask(b, "SEARCH lang=en migration");
    CHECK(r && (urb_is_err(r, "timeout") || urb_is_err(r, "unavailable")));
    CHECK(ms_since(&t0) < 5000);
    free(r);
    kill(-t1, SIGCONT);
    /* The worker that waited gives up by the remote time limit; then the
     * shards serve again. */
    bool back = false;
    for (int i = 0; i < 40 && !back; i++) {
        char q[64];
        snprintf(q, sizeof q, "SEARCH limit=%d housing", 10 + i);
        r = urb_client_ask(b, q);
        back = r && strncmp(r, "OK ", 3) == 0;
        free(r);
        if (!back)
            usleep(250000);
    }
    CHECK(back);

    urb_client_close(a);
    urb_client_close(b);
    CHECK(urb_daemon_stop(&one, SIGTERM) == 0);
    CHECK(urb_daemon_stop(&rem, SIGTERM) == 0);
    reap(t1, SIGTERM);
    reap(t2, SIGTERM);
}

static json_int_t documents(int port)
{
    urb_client_t *c = urb_client_tcp(port);
    json_t *j = c ? ask(c, "HELLO") : NULL;
    json_int_t n = j ? json_integer_value(json_object_get(j, "documents")) : -1;
    json_decref(j);
    urb_client_close(c);
    return n;
}

/* Waits up to 10 s for the daemon to announce `want` documents. */
static bool documents_become(int port, json_int_t want)
{
    for (int i = 0; i < 100; i++) {
        if (documents(port) == want)
            return true;
        usleep(100000);
    }
    fprintf(stderr, "documents: %lld, want %lld\n", (long long)documents(port),
            (long long)want);
    return false;
}

static void add_report(const char *corpus, int n)
{
    CHECK(sh("mkdir -p '%s/new' && printf -- '---\\nid: new-%d\\ntitle: New %d\\n"
             "lang: en\\n---\\nA new report on housing.\\n' > '%s/new/new-%d.md'",
             corpus, n, n, corpus, n) == 0);
}

/* One pass of xapian-replicate (-o) of the master database `name`:
 * copies what changed, then exits. */
static int replicate(int port, const char *name, const char *replica)
{
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    char *argv[] = {"xapian-replicate", "-h", "127.0.0.1", "-p", p, "-m",
                    (char *)name, "-o", (char *)replica, NULL};
    int st;
    pid_t pid = spawn("replicate.log", argv);
    return waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* xapian-replicate-server on `master` (an index folder as its root), on
 * a free port it sets; its pid. */
static pid_t replicate_server(const char *master, int *port)
{
    *port = urb_free_port();
    char p[16];
    snprintf(p, sizeof p, "%d", *port);
    char *argv[] = {"xapian-replicate-server", "-I", "127.0.0.1", "-p", p,
                    (char *)master, NULL};
    pid_t srv = spawn("replicate-server.log", argv);
    bool listening = false;
    for (int i = 0; i < 200 && !listening; i++) {
        urb_client_t *c = urb_client_tcp(*port);
        listening = c != NULL;
        urb_client_close(c);
        if (!listening)
            usleep(25000);
    }
    CHECK(listening);
    return srv;
}

/* Makes NAME_corpus (a copy of `from`) and NAME_master indexed from it
 * with the indexer options `extra`. */
static void master_index(const char *name, const char *from, const char *extra,
                         char *corpus, char *master, size_t cap)
{
    snprintf(corpus, cap, "%s/%s_corpus", fx.dir, name);
    snprintf(master, cap, "%s/%s_master", fx.dir, name);
    CHECK(sh("cp -r '%s' '%s'", from, corpus) == 0);
    CHECK(urb_run_indexer(corpus, master, extra) == 0);
}

static void test_replica_follows_published_generations(void)
{
    CHECK(setup());
    char corpus[700], master[700], replica[700], db[800];
    master_index("r", getenv("URBIS_FIXTURES"), NULL, corpus, master,
                 sizeof corpus);
    snprintf(replica, sizeof replica, "%s/replica", fx.dir);
    snprintf(db, sizeof db, "%s/db", replica);
    /* The master's folder as replication root, `current` as the database:
     * each published generation is what replicates. */
    int port;
    pid_t srv = replicate_server(master, &port);
    CHECK(mkdir(replica, 0755) == 0);
    CHECK(replicate(port, "current", db) == 0);
    CHECK(sh("printf 'auto db\\n' > '%s/current'", replica) == 0);

    urb_daemon_t rep;
    CHECK(serve(&rep, replica, "replica", NULL));
    json_int_t base = documents(rep.port);
    CHECK(base > 0);

    /* A new generation on the master: the replica serves the old one
     * until a replication pass has copied the new one whole (Xapian
     * switches its XAPIANDB pointer only then), then the new one. */
    add_report(corpus, 1);
    CHECK(urb_run_indexer(corpus, master, NULL) == 0);
    CHECK(documents(rep.port) == base);
    CHECK(replicate(port, "current", db) == 0);
    CHECK(documents_become(rep.port, base + 1));

    /* The replica's daemon down while the master publishes twice: once
     * replication ran, the restarted daemon serves the latest. */
    CHECK(urb_daemon_stop(&rep, SIGTERM) == 0);
    add_report(corpus, 2);
    CHECK(urb_run_indexer(corpus, master, NULL) == 0);
    add_report(corpus, 3);
    CHECK(urb_run_indexer(corpus, master, NULL) == 0);
    CHECK(replicate(port, "current", db) == 0);
    CHECK(serve(&rep, replica, "replica2", NULL));
    CHECK(documents(rep.port) == base + 3);
    urb_client_t *c = urb_client_tcp(rep.port);
    json_t *j = c ? ask(c, "SEARCH new") : NULL;
    CHECK(j && json_integer_value(json_object_get(j, "total")) == 3);
    json_decref(j);
    urb_client_close(c);
    CHECK(urb_daemon_stop(&rep, SIGTERM) == 0);
    reap(srv, SIGTERM);
}

/* A split index replicates shard by shard (`-m shard-K/current`), the
 * replica serving a map of its copies as the master serves its own; and
 * a run without --shards keeps the master split, so the replicas still
 * follow it. */
static void test_split_index_replicates_shard_by_shard(void)
{
    CHECK(setup());
    char corpus[700], master[700], replica[700], s0[800], s1[800];
    master_index("s", fx.corpus, "--shards 2", corpus, master, sizeof corpus);
    snprintf(replica, sizeof replica, "%s/s_replica", fx.dir);
    snprintf(s0, sizeof s0, "%s/s0", replica);
    snprintf(s1, sizeof s1, "%s/s1", replica);
    int port;
    pid_t srv = replicate_server(master, &port);
    CHECK(mkdir(replica, 0755) == 0);
    CHECK(replicate(port, "shard-0/current", s0) == 0);
    CHECK(replicate(port, "shard-1/current", s1) == 0);
    write_map(replica, 1, "auto ../s0\nauto ../s1\n");

    urb_daemon_t mst, rep;
    bool up = serve(&mst, master, "s_master", NULL) &&
              serve(&rep, replica, "s_replica", NULL);
    check_same(up, mst.port, rep.port, true);
    json_int_t base = documents(rep.port);
    CHECK(base > 0);

    add_report(corpus, 1);
    CHECK(urb_run_indexer(corpus, master, NULL) == 0);
    CHECK(sh("grep -q '^auto ../shard-' \"%s/$(sed -n 's/^auto //p' '%s/current')"
             "/XAPIANDB\"", master, master) == 0);
    CHECK(documents_become(mst.port, base + 1));
    CHECK(documents(rep.port) == base);
    CHECK(replicate(port, "shard-0/current", s0) == 0);
    CHECK(replicate(port, "shard-1/current", s1) == 0);
    CHECK(documents_become(rep.port, base + 1));
    CHECK(urb_daemon_stop(&mst, SIGTERM) == 0);
    CHECK(urb_daemon_stop(&rep, SIGTERM) == 0);
    reap(srv, SIGTERM);
}

static bool have(const char *tool)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

int main(int argc, char **argv)
{
    if (!have("xapian-tcpsrv") || !have("xapian-replicate") ||
        !have("xapian-replicate-server")) {
        fprintf(stderr, "xapian-tools is not installed: skipped\n");
        return 77;
    }
    static const urb_test_case_t cases[] = {
        T(test_local_shards_rank_as_one_index),
        T(test_remote_shards_rank_as_one_index_and_fail_clearly),
        T(test_replica_follows_published_generations),
        T(test_split_index_replicates_shard_by_shard),
        {NULL, NULL},
    };
    int rc = urb_test_run(cases, argc, argv);
    if (fx.dir) {
        urb_test_rmtree(fx.dir);
        free(fx.dir);
    }
    return rc;
}

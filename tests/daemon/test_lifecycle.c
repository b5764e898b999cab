/* The daemon's life: start-up errors, index switches under load, limits,
 * timeouts and shutdown. Each case runs its own daemon. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "test.h"

/* The number at key (inside object `in` when given) of line's OK reply;
 * -1 when there is none. */
static json_int_t ask_int(urb_client_t *c, const char *line, const char *in,
                          const char *key)
{
    char *r = urb_client_ask(c, line);
    json_t *j = urb_ok(r), *o = j && in ? json_object_get(j, in) : j;
    json_int_t n = o ? json_integer_value(json_object_get(o, key)) : -1;
    json_decref(j);
    free(r);
    return n;
}

static json_int_t documents(urb_client_t *c)
{
    return ask_int(c, "HELLO", NULL, "documents");
}

/* Starts d, or fails the case (the caller returns). */
static bool started(urb_daemon_t *d, const char *extra)
{
    if (urb_daemon_start(d, extra) == 0)
        return true;
    CHECK(!"daemon started");
    urb_daemon_stop(d, SIGKILL);
    return false;
}

static void add_report(const urb_daemon_t *d, const char *id, const char *body)
{
    char path[700];
    snprintf(path, sizeof path, "%s/corpus/%s.md", d->dir, id);
    FILE *f = fopen(path, "w");
    fprintf(f, "---\nid: %s\ntitle: %s\nlang: en\n---\n%s\n", id, id, body);
    fclose(f);
}

static void reindex(const urb_daemon_t *d)
{
    char corpus[600];
    snprintf(corpus, sizeof corpus, "%s/corpus", d->dir);
    CHECK(urb_run_indexer(corpus, d->index, NULL) == 0);
}

static void test_no_index_refuses_to_start(void)
{
    urb_daemon_t d = {0};
    d.dir = urb_test_tmpdir();
    snprintf(d.index, sizeof d.index, "%s/missing", d.dir);
    snprintf(d.sock, sizeof d.sock, "%s/s", d.dir);
    snprintf(d.log, sizeof d.log, "%s/urbisd.log", d.dir);
    pid_t pid = urb_daemon_spawn(&d, NULL);
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    CHECK(urb_daemon_logged(&d, "no index published"));
    urb_daemon_stop(&d, 0);
}

static void test_corrupt_index_refuses_to_start(void)
{
    urb_daemon_t d = {0};
    d.dir = urb_test_tmpdir();
    snprintf(d.index, sizeof d.index, "%s/index", d.dir);
    snprintf(d.sock, sizeof d.sock, "%s/s", d.dir);
    snprintf(d.log, sizeof d.log, "%s/urbisd.log", d.dir);
    char path[700];
    mkdir(d.index, 0755);
    snprintf(path, sizeof path, "%s/gen-000001", d.index);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/gen-000001/iamglass", d.index);
    FILE *f = fopen(path, "w");
    fputs("this is not a glass database", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/current", d.index);
    f = fopen(path, "w");
    fputs("auto gen-000001\n", f);
    fclose(f);
    pid_t pid = urb_daemon_spawn(&d, NULL);
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    CHECK(urb_daemon_logged(&d, "cannot open index generation"));
    urb_daemon_stop(&d, 0);
}

/* A client pipelines SEARCHes in batches until told to stop, counting
 * replies that are not OK. */
typedef struct load {
    int port;
    atomic_bool stop;
    atomic_int ok, failed;
} load_t;

static void *load_main(void *p)
{
    load_t *l = p;
    urb_client_t *c = urb_client_tcp(l->port);
    if (!c) {
        atomic_fetch_add(&l->failed, 1);
        return NULL;
    }
    static const char batch[] = "SEARCH refugee\nSEARCH filter=lang:en\nGET valencia-en\n"
                                "SEARCH housing OR councils\n";
    while (!atomic_load(&l->stop)) {
        if (urb_client_send(c, batch, sizeof batch - 1) < 0) {
            atomic_fetch_add(&l->failed, 1);
            break;
        }
        for (int i = 0; i < 4; i++) {
            char *r = urb_client_line(c, 10000);
            if (r && strncmp(r, "OK {", 4) == 0) {
                atomic_fetch_add(&l->ok, 1);
            } else {
                fprintf(stderr, "under reload: %s\n", r ? r : "(no reply)");
                atomic_fetch_add(&l->failed, 1);
            }
            free(r);
        }
    }
    urb_client_close(c);
    return NULL;
}

static void test_reload_under_load_fails_nothing(void)
{
    urb_daemon_t d;
    if (!started(&d, NULL))
        return;
    load_t l = {.port = d.port};
    pthread_t th[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&th[i], NULL, load_main, &l);
    urb_client_t *c = urb_client_tcp(d.port);
    /* Three new generations while the load runs; each seen within 1.5 s. */
    for (int gen = 1; gen <= 3; gen++) {
        char id[32];
        snprintf(id, sizeof id, "extra-%d", gen);
        add_report(&d, id, "Extra refugee housing report.");
        reindex(&d);
        json_int_t n = -1;
        for (int i = 0; i < 30 && n != 8 + gen; i++) {
            usleep(50000);
            n = documents(c);
        }
        CHECK(n == 8 + gen);
    }
    atomic_store(&l.stop, true);
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    CHECK(atomic_load(&l.failed) == 0);
    CHECK(atomic_load(&l.ok) > 100);
    fprintf(stderr, "reload under load: %d OK replies, %d failed\n",
            atomic_load(&l.ok), atomic_load(&l.failed));
    urb_client_close(c);
    CHECK(urb_daemon_stop(&d, SIGTERM) == 0);
}

static void test_sighup_and_reload_switch_at_once(void)
{
    urb_daemon_t d;
    if (!started(&d, NULL))
        return;
    urb_client_t *u = urb_client_unix(d.sock);
    add_report(&d, "extra-1", "Another report.");
    reindex(&d);
    char *r = urb_client_ask(u, "RELOAD");
    json_t *j = urb_ok(r);
    CHECK(j && json_integer_value(json_object_get(j, "documents")) == 9);
    json_decref(j);
    free(r);
    CHECK(documents(u) == 9);

    add_report(&d, "extra-2", "Yet another report.");
    reindex(&d);
    kill(d.pid, SIGHUP);
    json_int_t n = 0;
    for (int i = 0; i < 20 && n != 10; i++) {
        usleep(20000);
        n = documents(u);
    }
    CHECK(n == 10);
    urb_client_close(u);
    CHECK(urb_daemon_stop(&d, SIGTERM) == 0);
}

static json_int_t stat_cache(urb_client_t *c, const char *key)
{
    return ask_int(c, "STATS", "cache", key);
}

static json_int_t total(urb_client_t *c, const char *line)
{
    return ask_int(c, line, NULL, "total");
}

/* A repeated request is answered from the reply cache, spelled however
 * the client likes; a new generation is never answered from the old
 * one's replies; --cache-mb 0 turns it off. */
static void test_reply_cache_follows_generations(void)
{
    urb_daemon_t d;
    if (!started(&d, NULL))
        return;
    urb_client_t *u = urb_client_unix(d.sock);
    const char *q = "SEARCH limit=5 zanzibarite";
    CHECK(total(u, q) == 0);
    CHECK(stat_cache(u, "hits") == 0 && stat_cache(u, "entries") == 1);
    CHECK(total(u, "search  limit=\"5\"   zanzibarite ") == 0);
    CHECK(stat_cache(u, "hits") == 1);
    char *a = urb_client_ask(u, "GET extra-cache");
    CHECK(urb_is_err(a, "not_found"));
    free(a);

    add_report(&d, "extra-cache", "A report on zanzibarite.");
    reindex(&d);
    char *r = urb_client_ask(u, "RELOAD");
    json_t *j = urb_ok(r);
    CHECK(j);
    json_decref(j);
    free(r);
    CHECK(total(u, q) == 1);
    CHECK(stat_cache(u, "hits") == 1);
    a = urb_client_ask(u, "GET extra-cache");
    char *b = urb_client_ask(u, "GET extra-cache");
    CHECK(a && b && strncmp(a, "OK ", 3) == 0 && strcmp(a, b) == 0);
    CHECK(stat_cache(u, "hits") == 2);
    free(a);
    free(b);
    urb_client_close(u);
    CHECK(urb_daemon_stop(&d, SIGTERM) == 0);

    if (!started(&d, "--cache-mb 0"))
        return;
    u = urb_client_unix(d.sock);
    CHECK(total(u, q) == 0 && total(u, q) == 0);
    CHECK(stat_cache(u, "hits") == 0 && stat_cache(u, "entries") == 0);
    urb_client_close(u);
    CHECK(urb_daemon_stop(&d, SIGTERM) == 0);
}

static void test_broken_new_generation_keeps_old(void)
{
    urb_daemon_t d;
    if (!started(&d, NULL))
        return;
    char path[700];
    snprintf(path, sizeof path, "%s/gen-999999", d.index);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/current.tmp", d.index);
    FILE *f = fopen(path, "w");
    fputs("auto gen-999999\n", f);
    fclose(f);
    char cur[700];
    snprintf(cur, sizeof cur, "%s/current", d.index);
    rename(path, cur);
    urb_client_t *u = urb_client_unix(d.sock);
    char *r = urb_client_ask(u, "RELOAD");
    CHECK(urb_is_err(r, "unavailable"));
    free(r);
    r = urb_client_ask(u, "SEARCH refugee");
    json_t *j = urb_ok(r);
    CHECK(j && json_integer_value(json_object_get(j, "total")) >= 2);
    json_decref(j);
    free(r);
    CHECK(urb_daemon_logged(&d, "cannot open index generation"));
    urb_client_close(u);
    CHECK(urb_daemon_stop(&d, SIGTERM) == 0);
}

static void test_connection_limit_busy(void)
{
    urb_daemon_t d;
    if (!started(&d, "--max-connections 2"))
        return;
    /* The harness's readiness probe may not be closed on the server side
     * yet: the second slot frees within moments. */
    urb_client_t *a = urb_client_tcp(d.port), *b = NULL;
    char *ra = urb_client_ask(a, "PING"), *rb = NULL;
    for (int i = 0; i < 50 && !(rb && strncmp(rb, "OK", 2) == 0); i++) {
        free(rb);
        urb_client_close(b);
        usleep(20000);
        b = urb_client_tcp(d.port);
        rb = urb_client_ask(b, "PING");
    }
    CHECK_STR(ra, "OK {\"pong\":true}");
    CHECK_STR(rb, "OK {\"pong\":true}");
    urb_client_t *c = urb_client_tcp(d.port);
    /* The server speaks first here: ERR busy, then it closes. */
    char *rc = c ? urb_client_line(c, 5000) : NULL;
    CHECK(urb_is_err(rc, "busy"));
    CHECK(c && urb_client_closed(c, 5000));
    free(ra), free(rb), free(rc);
    urb_client_close(c);
    urb_client_close(b);
    /* A freed slot can be taken again. */
    urb_client_t *e = NULL;
    char *re = NULL;
    for (int i = 0; i < 50 && !(re && strncmp(re, "OK", 2) == 0); i++) {
        free(re);
        urb_client_close(e);
        usleep(20000);
        e = urb_client_tcp(d.port);
        re = urb_client_ask(e, "PING");
    }
    CHECK_STR(re, "OK {\"pong\":true}");
    free(re);
    urb_client_close(e);
    urb_client_close(a);
    CHECK(urb_daemon_stop(&d, SIGTERM) == 0);
}

static void test_query_timeout(void)
{
    urb_daemon_t d;
    if (!started(&d, "--query-timeout-ms 100 --debug-commands"))
        return;
    urb_client_t *u = urb_client_unix(d.sock);
    /* Workers load their dictionaries once started, which can take past
     * 100 ms on a loaded machine: wait until two 60 ms jobs sent together
     * both finish in time, i.e. both workers take jobs. */
    bool warm = false;
    for (int i = 0; i < 100 && !warm; i++) {
        const char two[] = "DEBUG SLEEP 60\nDEBUG SLEEP 60\n";
        CHECK(urb_client_send(u, two, sizeof two - 1) == 0);
        char *x = urb_client_line(u, 5000), *y = urb_client_line(u, 5000);
        warm = x && y && strncmp(x, "OK", 2) == 0 && strncmp(y, "OK", 2) == 0;
        free(x), free(y);
    }
    CHECK(warm);
    const char in[] = "DEBUG SLEEP 600\nPING\nDEBUG SLEEP 10\n";
    CHECK(urb_client_send(u, in, sizeof in - 1) == 0);
    char *a = urb_client_line(u, 5000), *b = urb_client_line(u, 5000),
         *c = urb_client_line(u, 5000);
    CHECK(urb_is_err(a, "timeout"));
    CHECK_STR(b, "OK {\"pong\":true}");
    CHECK_STR(c, "OK {\"slept_ms\":10}");
    free(a), free(b), free(c);
    /* DEBUG is refused without --debug-commands and over plain TCP. */
    urb_client_t *t = urb_client_tcp(d.port);
    char *r = urb_client_ask(t, "DEBUG SLEEP 1");
    CHECK(urb_is_err(r, "forbidden"));
    free(r);
    urb_client_close(t);
    urb_client_close(u);
    CHECK(urb_daemon_stop(&d, SIGTERM) == 0);
}

static void test_sigterm_answers_what_it_read(void)
{
    urb_daemon_t d;
    if (!started(&d, "--debug-commands"))
        return;
    urb_client_t *u = urb_client_unix(d.sock);
    const char in[] = "DEBUG SLEEP 300\nSEARCH refugee\nDEBUG SLEEP 300\nPING\n";
    CHECK(urb_client_send(u, in, sizeof in - 1) == 0);
    usleep(100000); /* read by the server, first sleep in flight */
    kill(d.pid, SIGTERM);
    char *r[4];
    for (int i = 0; i < 4; i++)
        r[i] = urb_client_line(u, 5000);
    CHECK_STR(r[0], "OK {\"slept_ms\":300}");
    CHECK(r[1] && strncmp(r[1], "OK {\"query\":\"refugee\"", 21) == 0);
    CHECK_STR(r[2], "OK {\"slept_ms\":300}");
    CHECK_STR(r[3], "OK {\"pong\":true}");
    for (int i = 0; i < 4; i++)
        free(r[i]);
    CHECK(urb_client_closed(u, 5000));
    urb_client_close(u);
    CHECK(urb_daemon_stop(&d, 0) == 0); /* exits 0 by itself */
}

static void test_idle_connections_are_closed(void)
{
    urb_daemon_t d;
    if (!started(&d, "--idle-timeout-s 1"))
        return;
    urb_client_t *c = urb_client_tcp(d.port);
    char *r = urb_client_ask(c, "PING");
    CHECK_STR(r, "OK {\"pong\":true}");
    free(r);
    CHECK(urb_client_closed(c, 4000));
    urb_client_close(c);
    CHECK(urb_daemon_stop(&d, SIGTERM) == 0);
}

static void test_admin_token(void)
{
    char *dir = urb_test_tmpdir();
    char token[600], extra[700];
    snprintf(token, sizeof token, "%s/token", dir);
    FILE *f = fopen(token, "w");
    fputs("s3cret-token-42\n", f);
    fclose(f);
    snprintf(extra, sizeof extra, "--admin-token-file %s", token);
    urb_daemon_t d;
    if (!started(&d, extra)) {
        urb_test_rmtree(dir);
        free(dir);
        return;
    }
    urb_client_t *c = urb_client_tcp(d.port);
    char *r1 = urb_client_ask(c, "RELOAD"), *r2 = urb_client_ask(c, "AUTH s3cret-token-4"),
         *r3 = urb_client_ask(c, "AUTH s3cret-token-42"), *r4 = urb_client_ask(c, "RELOAD");
    CHECK(urb_is_err(r1, "forbidden"));
    CHECK(urb_is_err(r2, "forbidden"));
    CHECK_STR(r3, "OK {\"admin\":true}");
    json_t *j = urb_ok(r4);
    CHECK(j != NULL);
    json_decref(j);
    free(r1), free(r2), free(r3), free(r4);
    urb_client_close(c);
    CHECK(urb_daemon_stop(&d, SIGTERM) == 0);
    urb_test_rmtree(dir);
    free(dir);
}

URB_TEST_MAIN(T(test_no_index_refuses_to_start),
              T(test_corrupt_index_refuses_to_start),
              T(test_reload_under_load_fails_nothing),
              T(test_sighup_and_reload_switch_at_once),
              T(test_reply_cache_follows_generations),
              T(test_broken_new_generation_keeps_old),
              T(test_connection_limit_busy), T(test_query_timeout),
              T(test_sigterm_answers_what_it_read),
              T(test_idle_connections_are_closed), T(test_admin_token))

/* Faults: urbis-index on a full disk, with unreadable files, with a corpus
 * that vanishes mid-run and on a read-only index folder; urbisd on a
 * corrupt index. Whatever happens, the index served before stays whole
 * and served, and the next run completes.
 *
 * A full disk is RLIMIT_FSIZE set in the child (with SIGXFSZ ignored, so
 * a write past it fails with EFBIG as one past a full disk fails with
 * ENOSPC). Root ignores file permissions; as root the child drops
 * CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from its bounding set before
 * exec, so urbis-index runs as a root without them and meets the
 * permissions as any user would. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "test.h"
#include "urbis/indexdir.h"

#define FIXTURE_DOCS 8
#define EXIT_NO_CAPS 126

static bool has(const char *hay, const char *needle)
{
    if (hay && strstr(hay, needle))
        return true;
    fprintf(stderr, "missing \"%s\" in:\n%s\n", needle, hay ? hay : "(null)");
    return false;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return strdup("");
    char *s = NULL;
    size_t cap = 0, len = 0, n;
    char buf[4096];
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (len + n + 1 > cap)
            s = realloc(s, cap = 2 * (len + n + 1));
        memcpy(s + len, buf, n);
        len += n;
    }
    fclose(f);
    if (!s)
        return strdup("");
    s[len] = '\0';
    return s;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* ---- Faults put on the child ------------------------------------------- */

typedef struct fault {
    rlim_t fsize; /* 0: no limit */
    bool no_dac;  /* meet file permissions even as root */
} fault_t;

static int drop_dac(void)
{
    if (geteuid() != 0)
        return 0;
    return prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) < 0 ||
                   prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0) < 0
               ? -1
               : 0;
}

/* Starts urbis-index CORPUS INDEX --quiet under fault f, its stderr in
 * dir/index.err. */
static pid_t spawn_indexer(const char *dir, const char *corpus,
                           const char *index, const fault_t *f)
{
    char err[600];
    snprintf(err, sizeof err, "%s/index.err", dir);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 2);
            close(fd);
        }
        if (f && f->fsize) {
            struct rlimit rl = {f->fsize, f->fsize};
            signal(SIGXFSZ, SIG_IGN);
            if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
                _exit(EXIT_NO_CAPS);
        }
        if (f && f->no_dac && drop_dac() < 0)
            _exit(EXIT_NO_CAPS);
        execl(getenv("URBIS_INDEXER"), "urbis-index", corpus, index, "--quiet",
              "--jobs", "2", (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Exit status of pid, -1 when killed by a signal (printed). */
static int wait_status(pid_t pid)
{
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    if (WIFSIGNALED(st))
        fprintf(stderr, "killed by signal %d\n", WTERMSIG(st));
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs the indexer under f; its stderr in *err (malloc'd). */
static int run_indexer(const char *dir, const char *corpus, const char *index,
                       const fault_t *f, char **err)
{
    int rc = wait_status(spawn_indexer(dir, corpus, index, f));
    char path[600];
    snprintf(path, sizeof path, "%s/index.err", dir);
    *err = slurp(path);
    return rc;
}

/* ---- An index of the fixture corpus and a daemon on it ------------------ */

typedef struct site {
    urb_daemon_t d; /* index, sock, log and dir; pid when running */
    char corpus[560];
} site_t;

static int site_make(site_t *s)
{
    memset(s, 0, sizeof *s);
    s->d.dir = urb_test_tmpdir();
    snprintf(s->d.index, sizeof s->d.index, "%s/index", s->d.dir);
    snprintf(s->d.sock, sizeof s->d.sock, "%s/s", s->d.dir);
    snprintf(s->d.log, sizeof s->d.log, "%s/urbisd.log", s->d.dir);
    snprintf(s->corpus, sizeof s->corpus, "%s/corpus", s->d.dir);
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "cp -r '%s' '%s'", getenv("URBIS_FIXTURES"),
             s->corpus);
    if (system(cmd) != 0)
        return -1;
    return urb_run_indexer(s->corpus, s->d.index, NULL);
}

/* Writes n reports of 300 pseudo-random words each under corpus/sub/. */
static void add_reports(const char *corpus, const char *sub, unsigned n,
                        uint32_t seed)
{
    char path[800], text[4096];
    snprintf(path, sizeof path, "%s/%s", corpus, sub);
    mkdir(path, 0755);
    for (unsigned i = 0; i < n; i++) {
        int len =
            snprintf(text, sizeof text,
                     "---\nlang: en\ncity: Town%u\n---\n# Report %u\n\n", i, i);
        for (int w = 0; w < 300; w++) {
            int wl = 4 + (int)(seed % 6);
            for (int k = 0; k < wl; k++) {
                seed = seed * 1103515245u + 12345u;
                text[len++] = (char)('a' + (seed >> 16) % 26);
            }
            text[len++] = w % 15 == 14 ? '\n' : ' ';
        }
        text[len] = '\0';
        snprintf(path, sizeof path, "%s/%s/r%04u.md", corpus, sub, i);
        write_file(path, text);
    }
}

/* Starts the daemon on the site's index; 0 when it answers. */
static int serve(site_t *s)
{
    s->d.pid = urb_daemon_spawn(&s->d, NULL);
    for (int i = 0; i < 400; i++) {
        urb_client_t *c = urb_client_tcp(s->d.port);
        if (c) {
            urb_client_close(c);
            return 0;
        }
        if (waitpid(s->d.pid, NULL, WNOHANG) == s->d.pid) {
            s->d.pid = 0;
            return -1;
        }
        sleep_ms(25);
    }
    return -1;
}

/* The served index answers HELLO with `docs` documents, and a search. */
static void answers(site_t *s, long docs)
{
    urb_client_t *c = urb_client_tcp(s->d.port);
    CHECK(c != NULL);
    if (!c)
        return;
    char *r = urb_client_ask(c, "HELLO");
    json_t *j = urb_ok(r);
    CHECK(j && json_integer_value(json_object_get(j, "documents")) == docs);
    json_decref(j);
    free(r);
    r = urb_client_ask(c, "SEARCH refugee");
    j = urb_ok(r);
    CHECK(j && json_integer_value(json_object_get(j, "total")) > 0);
    json_decref(j);
    free(r);
    urb_client_close(c);
}

static void current_is(const site_t *s, const char *want)
{
    char gen[URB_GEN_NAME_MAX] = "";
    CHECK(urb_indexdir_current(s->d.index, gen) == 0);
    CHECK_STR(gen, want);
}

static void site_free(site_t *s)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s'", s->d.dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot chmod %s\n", s->d.dir);
    int want = s->d.pid ? 0 : -2;
    CHECK(urb_daemon_stop(&s->d, SIGTERM) == want);
}

/* The largest file of the served generation. */
static off_t largest_table(const site_t *s)
{
    char gen[URB_GEN_NAME_MAX] = "", cmd[800];
    urb_indexdir_current(s->d.index, gen);
    snprintf(cmd, sizeof cmd,
             "find '%s/%s' -type f -printf '%%s\\n' | sort -n | tail -1",
             s->d.index, gen);
    FILE *p = popen(cmd, "r");
    long n = 0;
    if (!p || fscanf(p, "%ld", &n) != 1)
        n = -1;
    if (p)
        pclose(p);
    return n;
}

/* ---- The cases ---------------------------------------------------------- */

static void disk_full(void)
{
    site_t s;
    CHECK(site_make(&s) == 0);
    CHECK(serve(&s) == 0);
    add_reports(s.corpus, "more", 400, 7);
    off_t big = largest_table(&s);
    CHECK(big > 0);
    /* Room to copy the generation, none for 400 more reports. */
    fault_t full = {.fsize = (rlim_t)big + 16384};
    char *err;
    CHECK(run_indexer(s.d.dir, s.corpus, s.d.index, &full, &err) == 3);
    CHECK(has(err, "writing the index"));
    CHECK(has(err, "File too large"));
    free(err);
    current_is(&s, "gen-000001");
    answers(&s, FIXTURE_DOCS);
    /* With room again, the next run completes and is served. */
    CHECK(run_indexer(s.d.dir, s.corpus, s.d.index, NULL, &err) == 0);
    free(err);
    current_is(&s, "gen-000002");
    sleep_ms(1500);
    answers(&s, FIXTURE_DOCS + 400);
    site_free(&s);
}

static void unreadable(void)
{
    site_t s;
    CHECK(site_make(&s) == 0);
    char path[800];
    snprintf(path, sizeof path, "%s/locked.md", s.corpus);
    write_file(path, "# Locked\n\nrefugee\n");
    chmod(path, 0);
    fault_t f = {.no_dac = true};
    char *err;
    int rc = run_indexer(s.d.dir, s.corpus, s.d.index, &f, &err);
    if (rc == EXIT_NO_CAPS) {
        printf("note: cannot drop CAP_DAC_OVERRIDE here; case skipped\n");
        free(err);
        site_free(&s);
        return;
    }
    /* The readable reports are published, the other one named. */
    CHECK(rc == 1);
    CHECK(has(err, "locked.md: failed: cannot read: Permission denied"));
    free(err);
    current_is(&s, "gen-000001");
    /* A folder that cannot be listed might hide reports indexed before:
     * nothing is published rather than deleting them. */
    snprintf(path, sizeof path, "%s/closed", s.corpus);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/closed/inside.md", s.corpus);
    write_file(path, "# Inside\n\nrefugee\n");
    snprintf(path, sizeof path, "%s/closed", s.corpus);
    chmod(path, 0);
    CHECK(run_indexer(s.d.dir, s.corpus, s.d.index, &f, &err) == 3);
    CHECK(has(err, "closed: Permission denied"));
    free(err);
    current_is(&s, "gen-000001");
    CHECK(serve(&s) == 0);
    answers(&s, FIXTURE_DOCS);
    site_free(&s);
}

static void readonly_index(void)
{
    site_t s;
    CHECK(site_make(&s) == 0);
    add_reports(s.corpus, "more", 5, 3);
    chmod(s.d.index, 0555);
    fault_t f = {.no_dac = true};
    char *err;
    int rc = run_indexer(s.d.dir, s.corpus, s.d.index, &f, &err);
    if (rc == EXIT_NO_CAPS) {
        printf("note: cannot drop CAP_DAC_OVERRIDE here; case skipped\n");
    } else {
        CHECK(rc == 3);
        CHECK(has(err, "Permission denied"));
        current_is(&s, "gen-000001");
        /* The daemon only reads: it serves a read-only index. */
        CHECK(serve(&s) == 0);
        answers(&s, FIXTURE_DOCS);
    }
    free(err);
    chmod(s.d.index, 0755);
    site_free(&s);
}

static void corpus_vanishes(void)
{
    site_t s;
    CHECK(site_make(&s) == 0);
    add_reports(s.corpus, "more", 300, 11);
    char gone[700];
    snprintf(gone, sizeof gone, "%s/gone", s.d.dir);
    /* At a few moments of the run: before it builds, while it does. */
    static const long after[] = {0, 40};
    for (size_t i = 0; i < sizeof after / sizeof after[0]; i++) {
        char before[URB_GEN_NAME_MAX] = "";
        urb_indexdir_current(s.d.index, before);
        pid_t pid = spawn_indexer(s.d.dir, s.corpus, s.d.index, NULL);
        sleep_ms(after[i]);
        CHECK(rename(s.corpus, gone) == 0);
        int rc = wait_status(pid);
        /* Nothing published (3), or what was read (1); never a crash,
         * and never an index emptied because its files vanished. */
        CHECK(rc == 1 || rc == 3 || rc == 0);
        CHECK(serve(&s) == 0);
        urb_client_t *c = urb_client_tcp(s.d.port);
        char *r = c ? urb_client_ask(c, "HELLO") : NULL;
        json_t *j = urb_ok(r);
        CHECK(j && json_integer_value(json_object_get(j, "documents")) >=
                       FIXTURE_DOCS);
        json_decref(j);
        free(r);
        urb_client_close(c);
        CHECK(urb_daemon_stop(&(urb_daemon_t){.pid = s.d.pid}, SIGTERM) == 0);
        s.d.pid = 0;
        /* With the folder gone for good, nothing is published. */
        char *err;
        CHECK(run_indexer(s.d.dir, s.corpus, s.d.index, NULL, &err) == 3);
        CHECK(has(err, "corpus"));
        free(err);
        char now[URB_GEN_NAME_MAX] = "";
        urb_indexdir_current(s.d.index, now);
        CHECK(rc != 3 || strcmp(now, before) == 0);
        CHECK(rename(gone, s.corpus) == 0);
    }
    /* Back in place, the next run completes with every report. */
    char *err;
    CHECK(run_indexer(s.d.dir, s.corpus, s.d.index, NULL, &err) == 0);
    free(err);
    CHECK(serve(&s) == 0);
    answers(&s, FIXTURE_DOCS + 300);
    site_free(&s);
}

/* ---- urbisd on a corrupt index ------------------------------------------ */

typedef void corrupt_fn(const char *gen);

static void overwrite(const char *path, off_t at, size_t n)
{
    int fd = open(path, O_WRONLY);
    CHECK(fd >= 0);
    char junk[8192];
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < sizeof junk; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        junk[i] = (char)x;
    }
    for (size_t done = 0; fd >= 0 && done < n;) {
        size_t k = n - done < sizeof junk ? n - done : sizeof junk;
        CHECK(pwrite(fd, junk, k, at + (off_t)done) == (ssize_t)k);
        done += k;
    }
    if (fd >= 0)
        close(fd);
}

static off_t size_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : 0;
}

static void table_path(char *out, size_t n, const char *gen, const char *t)
{
    snprintf(out, n, "%s/%s", gen, t);
}

static void garbage_version(const char *gen)
{
    char p[800];
    table_path(p, sizeof p, gen, "iamglass");
    overwrite(p, 0, (size_t)size_of(p));
}

static void truncated_postlist(const char *gen)
{
    char p[800];
    table_path(p, sizeof p, gen, "postlist.glass");
    CHECK(truncate(p, 0) == 0);
}

static void garbage_postlist(const char *gen)
{
    char p[800];
    table_path(p, sizeof p, gen, "postlist.glass");
    overwrite(p, 0, (size_t)size_of(p));
}

static void garbage_docdata(const char *gen)
{
    char p[800];
    table_path(p, sizeof p, gen, "docdata.glass");
    overwrite(p, 0, (size_t)size_of(p));
}

static void starts_on(corrupt_fn *corrupt, const char *name)
{
    site_t s;
    CHECK(site_make(&s) == 0);
    char gen[900];
    snprintf(gen, sizeof gen, "%s/gen-000001", s.d.index);
    corrupt(gen);
    s.d.pid = urb_daemon_spawn(&s.d, NULL);
    int rc = urb_daemon_stop(&(urb_daemon_t){.pid = s.d.pid}, 0);
    char *log = slurp(s.d.log);
    if (rc != 1)
        fprintf(stderr, "%s: urbisd exited %d\n", name, rc);
    CHECK(rc == 1);
    CHECK(has(log, "cannot open index generation"));
    CHECK(has(log, "gen-000001"));
    free(log);
    s.d.pid = 0;
    site_free(&s);
}

static void corrupt_index(void)
{
    starts_on(garbage_version, "garbage iamglass");
    starts_on(truncated_postlist, "empty postlist");
    starts_on(garbage_postlist, "garbage postlist");
    starts_on(garbage_docdata, "garbage docdata");
}

static void bad_pointer(void)
{
    site_t s;
    CHECK(site_make(&s) == 0);
    char cur[700];
    snprintf(cur, sizeof cur, "%s/current", s.d.index);
    static const char *const pointers[] = {"auto gen-000009\n",
                                           "\x01\x02garbage", ""};
    for (size_t i = 0; i < sizeof pointers / sizeof *pointers; i++) {
        write_file(cur, pointers[i]);
        s.d.pid = urb_daemon_spawn(&s.d, NULL);
        CHECK(urb_daemon_stop(&(urb_daemon_t){.pid = s.d.pid}, 0) == 1);
        s.d.pid = 0;
    }
    char *log = slurp(s.d.log);
    CHECK(has(log, "gen-000009"));
    CHECK(has(log, "no index published"));
    free(log);
    site_free(&s);
}

URB_TEST_MAIN(T(disk_full), T(unreadable), T(readonly_index),
              T(corpus_vanishes), T(corrupt_index), T(bad_pointer))

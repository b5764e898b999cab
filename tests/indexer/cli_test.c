/* urbis-index as a program: exit statuses, messages, the summary, the
 * index it publishes, incremental runs, the lock, and runs killed
 * mid-way. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "test.h"
#include "urbis/indexdir.h"
#include "urbis/schema.h"
#include "urbis/text.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static bool has(const char *hay, const char *needle)
{
    if (hay && strstr(hay, needle))
        return true;
    fprintf(stderr, "missing \"%s\" in:\n%s\n", needle, hay ? hay : "(null)");
    return false;
}

static bool exists(const char *dir, const char *name)
{
    char *p = ix_path(dir, name);
    struct stat st;
    bool e = lstat(p, &st) == 0;
    free(p);
    return e;
}

static size_t count_prefix(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)))
        n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
    if (d)
        closedir(d);
    return n;
}

static void current_is(const char *index, const char *want)
{
    char gen[URB_GEN_NAME_MAX] = "";
    CHECK(urb_indexdir_current(index, gen) == 0);
    CHECK_STR(gen, want);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static const char english[] =
    "The city council opened a welcome centre for newcomers, where "
    "refugees and migrants find advice on housing, language courses, work "
    "and schools. Volunteers from local associations help families settle "
    "in their neighbourhoods.";

/* ---- Usage -------------------------------------------------------------- */

static void usage(void)
{
    char *out, *err;
    CHECK(ix_run(ARGS("--help"), &out, NULL) == 0);
    CHECK(has(out, "Usage: urbis-index"));
    free(out);
    CHECK(ix_run(ARGS("--version"), &out, NULL) == 0);
    CHECK(has(out, "urbis-index " URBIS_VERSION));
    free(out);
    CHECK(ix_run(ARGS("only-one"), NULL, &err) == 2);
    CHECK(has(err, "INDEX missing"));
    free(err);
    CHECK(ix_run(ARGS("a", "b", "c"), NULL, &err) == 2);
    CHECK(has(err, "too many arguments"));
    free(err);
    CHECK(ix_run(ARGS("--bogus", "a", "b"), NULL, &err) == 2);
    CHECK(has(err, "unknown option: --bogus"));
    free(err);
    CHECK(ix_run(ARGS("a", "b", "--jobs", "0"), NULL, &err) == 2);
    CHECK(has(err, "--jobs"));
    free(err);
    CHECK(ix_run(ARGS("a", "b", "--jobs"), NULL, &err) == 2);
    free(err);
}

/* ---- A corpus with every kind of file, good and bad --------------------- */

static void write_mixed(const char *c)
{
    char md[1024];
    snprintf(md, sizeof md,
             "---\nid: alpha\ntitle: Alpha report\ncity: Valencia\n"
             "country: ES\nlang: en\nyear: 2021\nnetworks: Eurocities\n---\n"
             "# Alpha report\n\n## Key takeaways\n\n%s\n", english);
    ix_writes(c, "es/alpha.md", md);
    ix_writes(c, "de/berlin.html",
              "<html lang=\"de\"><head><title>Berlin</title>"
              "<script>zzscriptjunk()</script></head><body>"
              "<nav>zznavjunk</nav><h2>Wohnen</h2><p>Die Stadt Berlin "
              "unterstützt Flüchtlinge bei der Suche nach einer Wohnung und "
              "bietet Sprachkurse an.</p></body></html>");
    snprintf(md, sizeof md,
             "About the city\nDayton\nWelcome Dayton plan\n\nKey takeaways\n%s\n",
             english);
    ix_writes(c, "us/dayton.txt", md);
    const char *pages[] = {english};
    size_t len;
    char *pdf = ix_pdf("Sheffield sanctuary", pages, 1, &len);
    ix_write(c, "gb/sheffield.pdf", pdf, len);
    ix_write(c, "gb/cut.pdf", pdf, len - 40);
    free(pdf);
    snprintf(md, sizeof md, "# No language given\n\n%s\n", english);
    ix_writes(c, "nolang.md", md);
    ix_writes(c, "fr/cp.md", "---\nlang: fr\n---\n# Caf\xe9\n\nUne ville "
                             "o\xf9 l\x92on accueille.\n");
    ix_writes(c, "dup1.md", "---\nid: same\nlang: en\n---\nOne.\n");
    ix_writes(c, "dup2.md", "---\nid: same\nlang: en\n---\nTwo.\n");
    ix_write(c, "junk.md", "\x7f" "ELF\0\0\x01\x02", 8);
    ix_writes(c, "empty.md", "");
    ix_writes(c, "notes.csv", "word,zzcsvjunk\n");
    ix_writes(c, ".hidden.md", "# Hidden\n");
    char *p = ix_path(c, "dangling.md");
    CHECK(symlink("no-such-target.md", p) == 0);
    free(p);
    p = ix_path(c, "fifo.md");
    CHECK(mkfifo(p, 0644) == 0);
    free(p);
}

static void mixed_corpus(void)
{
    char *dir = urb_test_tmpdir(), *c = ix_path(dir, "corpus"),
         *ix = ix_path(dir, "index/deeper");
    write_mixed(c);
    size_t failing = 5; /* cut.pdf, dup2, junk, dangling, fifo */
    if (geteuid() != 0) {
        /* Root reads anything; others cannot read this. */
        ix_writes(c, "locked.md", "# Locked\n");
        char *p = ix_path(c, "locked.md");
        chmod(p, 0);
        free(p);
        failing++;
    } else {
        printf("note: running as root, the permission case is covered by "
               "the dangling link and the FIFO\n");
    }
    char *out, *err;
    /* Options after the paths. */
    CHECK(ix_run(ARGS(c, ix, "--json", "--jobs", "3"), &out, &err) == 1);
    CHECK(ix_json_num(out, "added") == 7);
    CHECK(ix_json_num(out, "documents") == 7);
    CHECK(ix_json_num(out, "failed") == (long)failing);
    CHECK(ix_json_num(out, "skipped") == 2);
    CHECK(ix_json_num(out, "unchanged") == 0);
    CHECK(ix_json_num(out, "warnings") >= 1);
    CHECK(has(out, "\"seconds\":"));
    CHECK(has(out, "\"generation\":\"gen-000001\""));
    CHECK(has(err, "/gb/cut.pdf: failed: truncated PDF"));
    CHECK(has(err, "/dup2.md: failed: id conflict: \"same\""));
    CHECK(has(err, "/dup1.md, which is indexed"));
    CHECK(has(err, "/junk.md: failed: binary"));
    CHECK(has(err, "/dangling.md: failed: cannot read: No such file"));
    CHECK(has(err, "/fifo.md: failed: not a regular file"));
    CHECK(has(err, "/fr/cp.md: warning: not valid UTF-8"));
    CHECK(has(err, "urbis-index: 7 documents: 7 added, 0 updated, 0 deleted, "
                   "0 unchanged, 2 skipped"));
    if (geteuid() != 0)
        CHECK(has(err, "/locked.md: failed: cannot read: Permission denied"));
    CHECK(!strstr(err, "hidden"));
    free(out);
    free(err);

    urb_xdb_t *db = ix_open(ix);
    CHECK(db != NULL);
    if (db) {
        CHECK(ix_has_term(db, "Qalpha"));
        CHECK(ix_has_term(db, "Qsame"));
        CHECK(ix_has_term(db, "Qde/berlin"));
        CHECK(ix_has_term(db, "Qus/dayton"));
        CHECK(ix_has_term(db, "Qgb/sheffield"));
        CHECK(ix_has_term(db, "Qnolang"));
        CHECK(ix_has_term(db, "Qfr/cp"));
        CHECK(!ix_has_term(db, "Qdup2") && !ix_has_term(db, "Qjunk"));
        CHECK(ix_has_term(db, "XCdayton"));
        CHECK(ix_has_term(db, "Scafe"));
        CHECK(ix_has_term(db, "Wcafe\x1f" "café"));
        CHECK(ix_has_term(db, "ZDEfluchtling"));
        CHECK(!ix_has_term(db, "zzscriptjunk") && !ix_has_term(db, "zznavjunk"));
        CHECK(!ix_has_term(db, "zzcsvjunk"));
        /* nolang.md's language was found: English. */
        uint32_t en = 0;
        CHECK(urb_xdb_termfreq(db, "XLen", 4, &en) == URB_X_OK);
        CHECK(en == 5); /* alpha, dayton, sheffield, nolang, same */
        char *v = NULL;
        size_t vl;
        CHECK(urb_xdb_get_metadata(db, URB_META_LANGS, &v, &vl) == URB_X_OK);
        CHECK_STR(v, "de,en,fr");
        free(v);
        v = NULL;
        CHECK(urb_xdb_get_metadata(db, URB_META_GENERATION, &v, &vl) ==
              URB_X_OK);
        CHECK_STR(v, "gen-000001");
        free(v);
        urb_xdb_free(db);
    }
    CHECK(exists(ix, ".lock"));
    CHECK(count_prefix(ix, "tmp-") == 0);

    /* A run with nothing new: the same failures again, nothing published. */
    CHECK(ix_run(ARGS("--json", "--quiet", c, ix), &out, &err) == 1);
    CHECK(ix_json_num(out, "unchanged") == 7);
    CHECK(ix_json_num(out, "added") == 0);
    CHECK(has(out, "\"published\":false"));
    CHECK(has(err, "/gb/cut.pdf: failed: truncated PDF"));
    CHECK(!strstr(err, "warning") && !strstr(err, "documents:"));
    CHECK(count_prefix(ix, "gen-") == 1);
    free(out);
    free(err);
    urb_test_rmtree(dir);
    free(dir);
    free(c);
    free(ix);
}

/* ---- Incremental runs --------------------------------------------------- */

static void write_doc(const char *c, const char *rel, const char *word)
{
    char md[1024];
    snprintf(md, sizeof md, "---\nlang: en\n---\n# Report %s\n\n%s %s\n",
             word, english, word);
    ix_writes(c, rel, md);
}

static void incremental(void)
{
    char *dir = urb_test_tmpdir(), *c = ix_path(dir, "c"), *ix = ix_path(dir, "i");
    write_doc(c, "one.md", "firstword");
    write_doc(c, "two.md", "secondword");
    write_doc(c, "sub/three.md", "thirdword");
    const char *pages[] = {english};
    size_t len;
    char *pdf = ix_pdf("A report", pages, 1, &len);
    ix_write(c, "four.pdf", pdf, len);
    char *out;
    CHECK(ix_run(ARGS("--quiet", "--json", c, ix), &out, NULL) == 0);
    CHECK(ix_json_num(out, "added") == 4);
    free(out);
    current_is(ix, "gen-000001");

    /* Unchanged: nothing read, nothing published. */
    CHECK(ix_run(ARGS("--json", c, ix), &out, NULL) == 0);
    CHECK(ix_json_num(out, "unchanged") == 4);
    CHECK(has(out, "\"published\":false"));
    free(out);
    current_is(ix, "gen-000001");
    CHECK(count_prefix(ix, "gen-") == 1);

    /* Touched, same bytes: still nothing to publish. */
    char *p = ix_path(c, "one.md");
    struct timespec times[2] = {{0, UTIME_NOW}, {1000000, 0}};
    CHECK(utimensat(AT_FDCWD, p, times, 0) == 0);
    free(p);
    CHECK(ix_run(ARGS("--json", c, ix), &out, NULL) == 0);
    CHECK(ix_json_num(out, "unchanged") == 4);
    CHECK(has(out, "\"published\":false"));
    free(out);

    /* Changed, added, removed; a dead run's folder swept. */
    write_doc(c, "one.md", "changedword");
    write_doc(c, "five.md", "fifthword");
    p = ix_path(c, "two.md");
    unlink(p);
    free(p);
    ix_writes(ix, "tmp-dead/junk", "left by a killed run");
    CHECK(ix_run(ARGS("--json", c, ix), &out, NULL) == 0);
    CHECK(ix_json_num(out, "added") == 1);
    CHECK(ix_json_num(out, "updated") == 1);
    CHECK(ix_json_num(out, "deleted") == 1);
    CHECK(ix_json_num(out, "unchanged") == 2);
    CHECK(ix_json_num(out, "documents") == 4);
    free(out);
    current_is(ix, "gen-000002");
    CHECK(!exists(ix, "tmp-dead"));
    urb_xdb_t *db = ix_open(ix);
    CHECK(db && ix_has_term(db, "changedword") && !ix_has_term(db, "firstword"));
    CHECK(db && ix_has_term(db, "fifthword") && !ix_has_term(db, "Qtwo"));
    CHECK(db && ix_has_term(db, "thirdword") && ix_has_term(db, "Qfour"));
    urb_xdb_free(db);
    CHECK(exists(ix, "gen-000001") && exists(ix, "gen-000002"));

    /* A file that now fails leaves the index; the oldest generation goes. */
    ix_write(c, "four.pdf", pdf, len / 2);
    CHECK(ix_run(ARGS("--json", "--quiet", c, ix), &out, NULL) == 1);
    CHECK(ix_json_num(out, "failed") == 1);
    CHECK(ix_json_num(out, "deleted") == 1);
    CHECK(ix_json_num(out, "documents") == 3);
    free(out);
    current_is(ix, "gen-000003");
    CHECK(!exists(ix, "gen-000001") && exists(ix, "gen-000002"));
    db = ix_open(ix);
    CHECK(db && !ix_has_term(db, "Qfour") && ix_has_term(db, "changedword"));
    urb_xdb_free(db);

    /* --full: everything again, into a fresh database. */
    ix_write(c, "four.pdf", pdf, len);
    CHECK(ix_run(ARGS("--full", "--json", c, ix), &out, NULL) == 0);
    CHECK(ix_json_num(out, "added") == 4);
    CHECK(ix_json_num(out, "documents") == 4);
    CHECK(has(out, "\"published\":true"));
    free(out);
    current_is(ix, "gen-000004");
    CHECK(count_prefix(ix, "gen-") == 2);
    CHECK(ix_doccount(ix) == 4);

    /* An index of an older layout (a manifest from before schema 2's
     * concept terms) is rebuilt whole, not updated. */
    char *err;
    ix_writes(ix, "gen-000004/urbis-manifest", "urbis-manifest 1\n");
    CHECK(ix_run(ARGS("--json", c, ix), &out, &err) == 0);
    CHECK(ix_json_num(out, "added") == 4);
    CHECK(has(out, "\"published\":true"));
    CHECK(has(err, "the index layout changed: rebuilding the whole index"));
    free(out);
    free(err);
    current_is(ix, "gen-000005");
    db = ix_open(ix);
    CHECK(db && ix_has_term(db, "XTrefugee"));
    urb_xdb_free(db);
    free(pdf);
    urb_test_rmtree(dir);
    free(dir);
    free(c);
    free(ix);
}

/* ---- Nothing published -------------------------------------------------- */

static void unusable(void)
{
    char *dir = urb_test_tmpdir(), *c = ix_path(dir, "c"), *ix = ix_path(dir, "i");
    write_doc(c, "one.md", "word");
    char *err, *out;
    ix_writes(dir, "file", "not a folder");
    char *f = ix_path(dir, "file");
    CHECK(ix_run(ARGS(c, f, "--json"), &out, &err) == 3);
    CHECK(has(err, "urbis-index: "));
    CHECK(has(out, "\"published\":false"));
    free(out);
    free(err);
    char *missing = ix_path(dir, "no-corpus");
    CHECK(ix_run(ARGS(missing, ix), NULL, &err) == 3);
    CHECK(has(err, "no-corpus: No such file or directory"));
    CHECK(!exists(ix, "current"));
    free(err);

    /* The lock held: exit 3 at once, naming it. */
    CHECK(ix_run(ARGS("--quiet", c, ix), NULL, NULL) == 0);
    char *lock = ix_path(ix, ".lock");
    int fd = open(lock, O_RDWR);
    CHECK(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0);
    write_doc(c, "two.md", "more");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(ix_run(ARGS(c, ix), NULL, &err) == 3);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(has(err, "/.lock: locked: another urbis-index is running"));
    CHECK(t1.tv_sec - t0.tv_sec < 5);
    free(err);
    close(fd);
    CHECK(ix_run(ARGS("--quiet", c, ix), NULL, NULL) == 0);
    CHECK(ix_doccount(ix) == 2);
    free(lock);
    free(f);
    free(missing);
    urb_test_rmtree(dir);
    free(dir);
    free(c);
    free(ix);
}

/* ---- Killed runs -------------------------------------------------------- */

/* Enough documents that building a generation takes a while. */
#define KILL_DOCS 400

/* A made-up word from a number: syllables, so words look like words. */
static int word(char *out, unsigned n)
{
    static const char *const syl[] = {"ka", "lo", "mi", "ne", "ru", "sa",
                                      "ti", "vo", "ber", "dan", "gol", "pir"};
    int len = 0;
    for (int i = 0; i < 3; i++, n /= 12)
        len += sprintf(out + len, "%s", syl[n % 12]);
    return len;
}

static void write_many(const char *c, const char *salt)
{
    for (unsigned i = 0; i < KILL_DOCS; i++) {
        char rel[64], md[2048];
        int n = snprintf(md, sizeof md,
                         "---\nlang: en\n---\n# Report %u %s\n\n", i, salt);
        for (unsigned k = 0; k < 150; k++) {
            n += word(md + n, (i * 7919u + k * 104729u) % 1728u);
            md[n++] = k % 12 == 11 ? '\n' : ' ';
        }
        md[n] = '\0';
        snprintf(rel, sizeof rel, "d%02u/r%04u.md", i % 10, i);
        ix_writes(c, rel, md);
    }
}

/* Removes what killed runs left in the index folder. */
static void remove_tmp(const char *ix)
{
    DIR *d = opendir(ix);
    struct dirent *de;
    while (d && (de = readdir(d)))
        if (strncmp(de->d_name, "tmp-", 4) == 0) {
            char *p = ix_path(ix, de->d_name);
            urb_test_rmtree(p);
            free(p);
        }
    if (d)
        closedir(d);
}

/* Kills a run `after` ms into building its generation (-1: at start). */
static void kill_run(const char *c, const char *ix, long after)
{
    pid_t pid = ix_spawn(ARGS("--jobs", "2", c, ix));
    int st;
    bool exited = false;
    if (after >= 0) {
        /* Wait for the run's tmp- folder: it is building. */
        while (!count_prefix(ix, "tmp-") &&
               !(exited = waitpid(pid, &st, WNOHANG) == pid))
            sleep_ms(1);
        sleep_ms(after);
    }
    if (!exited) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
    }
    CHECK(after < 0 || (!exited && count_prefix(ix, "tmp-") == 1));
}

static void killed(void)
{
    char *dir = urb_test_tmpdir(), *c = ix_path(dir, "c"), *ix = ix_path(dir, "i");
    write_many(c, "first");
    CHECK(ix_run(ARGS("--quiet", c, ix), NULL, NULL) == 0);
    CHECK(ix_doccount(ix) == KILL_DOCS);
    write_many(c, "second");
    static const long after[] = {-1, 0, 5, 30, 100, 200};
    for (size_t i = 0; i < sizeof after / sizeof after[0]; i++) {
        remove_tmp(ix);
        kill_run(c, ix, after[i]);
        /* Whatever the moment, the old generation is served, whole. */
        current_is(ix, "gen-000001");
        CHECK(ix_doccount(ix) == KILL_DOCS);
        urb_xdb_t *db = ix_open(ix);
        CHECK(db && ix_has_term(db, "Qd00/r0000") && ix_has_term(db, "first"));
        urb_xdb_free(db);
    }
    /* The next run sweeps the last one's folder and completes. */
    char *out;
    CHECK(ix_run(ARGS("--json", c, ix), &out, NULL) == 0);
    CHECK(ix_json_num(out, "updated") == KILL_DOCS);
    free(out);
    current_is(ix, "gen-000002");
    CHECK(ix_doccount(ix) == KILL_DOCS);
    CHECK(count_prefix(ix, "tmp-") == 0);
    urb_xdb_t *db = ix_open(ix);
    CHECK(db && ix_has_term(db, "second") && !ix_has_term(db, "first"));
    urb_xdb_free(db);
    urb_test_rmtree(dir);
    free(dir);
    free(c);
    free(ix);
}

/* ---- Same content whatever the number of threads ------------------------ */

typedef struct dump {
    urb_buf_t b;
} dump_t;

static int dump_term(void *ctx, const char *term, size_t len, uint32_t wdf)
{
    dump_t *d = ctx;
    char w[16];
    int n = snprintf(w, sizeof w, "=%u\n", wdf);
    urb_buf_append(&d->b, term, len);
    urb_buf_append(&d->b, w, (size_t)n);
    return 0;
}

/* Every document's terms, values and data, in id order. */
static int dump_doc(void *ctx, const char *term, size_t len, uint32_t freq)
{
    void **a = ctx;
    urb_xdb_t *db = a[0];
    dump_t *d = a[1];
    uint32_t docid;
    urb_xdoc_t *doc = NULL;
    (void)freq;
    if (urb_xdb_find_by_term(db, term, len, &docid) != URB_X_OK ||
        urb_xdb_get_document(db, docid, &doc) != URB_X_OK)
        return 1;
    urb_xdoc_termlist(doc, dump_term, d);
    for (unsigned slot = 0; slot <= URB_SLOT_YEAR_NEG; slot++) {
        const char *v;
        size_t vl;
        if (urb_xdoc_get_value(doc, slot, &v, &vl) == URB_X_OK)
            urb_buf_append(&d->b, v, vl);
        urb_buf_append(&d->b, "|", 1);
    }
    const char *data;
    size_t dl;
    if (urb_xdoc_get_data(doc, &data, &dl) == URB_X_OK)
        urb_buf_append(&d->b, data, dl);
    urb_xdoc_free(doc);
    return 0;
}

static urb_buf_t dump_index(const char *ix)
{
    urb_xdb_t *db = ix_open(ix);
    dump_t d = {{0}};
    void *a[2] = {db, &d};
    if (db)
        urb_xdb_allterms(db, URB_PFX_ID, dump_doc, a);
    urb_xdb_free(db);
    return d.b;
}

static void deterministic(void)
{
    char *dir = urb_test_tmpdir(), *c = ix_path(dir, "c"),
         *i1 = ix_path(dir, "i1"), *i3 = ix_path(dir, "i3");
    write_mixed(c);
    CHECK(ix_run(ARGS("--quiet", "--jobs", "1", c, i1), NULL, NULL) == 1);
    CHECK(ix_run(ARGS("--quiet", "--jobs", "3", c, i3), NULL, NULL) == 1);
    urb_buf_t a = dump_index(i1), b = dump_index(i3);
    CHECK(a.len > 1000 && a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    urb_buf_free(&a);
    urb_buf_free(&b);
    urb_test_rmtree(dir);
    free(dir);
    free(c);
    free(i1);
    free(i3);
}

URB_TEST_MAIN(T(usage), T(mixed_corpus), T(incremental), T(unusable),
              T(killed), T(deterministic))

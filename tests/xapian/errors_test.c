/* Every Xapian failure the wrapper maps, produced for real: missing,
 * foreign and corrupt databases, a second writer, closed handles, a
 * revision discarded under a reader, malformed query text. */
#include "fixture.h"

#include "test.h"

#include <stdlib.h>
#include <sys/stat.h>

static char *path_in(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (!p)
        exit(2);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Opens `path` read-only expecting `want`; the message must mention
 * `needle`. */
static void open_fails(const char *path, urb_xstatus_t want, const char *needle)
{
    urb_xdb_t *db = (urb_xdb_t *)&db; /* must be reset to NULL */
    char *msg = NULL;
    urb_xstatus_t st = urb_xdb_open(path, URB_XDB_READ, &db, &msg);
    CHECK(st == want);
    if (st != want)
        fprintf(stderr, "  %s: got %s\n", path, urb_xstatus_str(st));
    CHECK(db == NULL);
    CHECK(msg != NULL && strstr(msg, needle) != NULL);
    free(msg);
}

static void open_missing(void)
{
    char *dir = urb_test_tmpdir();
    char *missing = path_in(dir, "nope");
    open_fails(missing, URB_X_NOT_FOUND, "No such file");
    /* No message wanted: still a status. */
    urb_xdb_t *db;
    CHECK(urb_xdb_open(missing, URB_XDB_READ, &db, NULL) == URB_X_NOT_FOUND);
    free(missing);
    urb_test_rmtree(dir);
    free(dir);
}

static void open_not_a_database(void)
{
    char *dir = urb_test_tmpdir();
    /* An empty directory has no database type at all. */
    open_fails(dir, URB_X_NOT_FOUND, "Couldn't detect type of database");
    /* A file is read as a stub, whose lines name backends. */
    char *stub = path_in(dir, "stub");
    FILE *f = fopen(stub, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("this is not a stub\n", f);
        fclose(f);
    }
    open_fails(stub, URB_X_OPENING, "Bad line");
    free(stub);
    urb_test_rmtree(dir);
    free(dir);
}

static void open_corrupt(void)
{
    char *dir = urb_test_tmpdir();
    urb_xdb_free(fx_build(dir));
    /* Overwrite the postlist table in place with junk of the same size. */
    char *table = path_in(dir, "postlist.glass");
    struct stat sb;
    CHECK(stat(table, &sb) == 0 && sb.st_size >= 8192);
    FILE *f = fopen(table, "r+");
    CHECK(f != NULL);
    if (f) {
        for (off_t i = 0; i < sb.st_size; i++)
            fputc("junk\n"[i % 5], f);
        fclose(f);
    }
    open_fails(dir, URB_X_CORRUPT, "DatabaseCorruptError");
    free(table);
    urb_test_rmtree(dir);
    free(dir);
}

static void second_writer(void)
{
    char *dir = urb_test_tmpdir();
    urb_xdb_t *w1 = fx_open(dir, URB_XDB_CREATE_OR_OPEN), *w2 = NULL;
    char *msg = NULL;
    CHECK(urb_xdb_open(dir, URB_XDB_CREATE_OR_OPEN, &w2, &msg) == URB_X_LOCKED);
    CHECK(w2 == NULL);
    CHECK(msg != NULL && strstr(msg, "lock") != NULL);
    free(msg);
    /* Readers are never locked out. */
    urb_xdb_t *rd = fx_open(dir, URB_XDB_READ);
    urb_xdb_free(rd);
    /* Freeing the writer releases the lock. */
    urb_xdb_free(w1);
    w2 = fx_open(dir, URB_XDB_CREATE_OR_OPEN);
    urb_xdb_free(w2);
    urb_test_rmtree(dir);
    free(dir);
}

static void bad_arguments(void)
{
    char *dir = urb_test_tmpdir();
    urb_xdb_t *db;
    char *msg = NULL;
    CHECK(urb_xdb_open(dir, 7, &db, &msg) == URB_X_INVALID);
    CHECK(msg != NULL && strstr(msg, "mode") != NULL);
    free(msg);
    db = fx_build(dir);
    urb_xdoc_t *doc;
    CHECK(urb_xdb_get_document(db, 0, &doc) == URB_X_INVALID);
    CHECK(strstr(urb_xdb_errmsg(db), "InvalidArgumentError") != NULL);
    urb_xdb_free(db);
    urb_xdb_free(NULL);
    CHECK_STR(urb_xdb_errmsg(NULL), "");
    urb_test_rmtree(dir);
    free(dir);
}

static void calls_after_close(void)
{
    char *dir = urb_test_tmpdir();
    urb_xdb_t *w = fx_build(dir);
    urb_xdb_t *rd = fx_open(dir, URB_XDB_READ);
    urb_xenq_t *enq;
    CHECK(urb_xenq_new(rd, &enq) == URB_X_OK);
    urb_xquery_t *q = urb_xquery_term("housing", 7, 1, 0);
    CHECK(urb_xenq_set_query(enq, q) == URB_X_OK);
    urb_xdoc_t *doc;
    CHECK(urb_xdb_get_document(rd, 1, &doc) == URB_X_OK);

    CHECK(urb_xdb_close(rd) == URB_X_OK);
    urb_xdb_stats_t st;
    CHECK(urb_xdb_stats(rd, &st) == URB_X_INVALID);
    CHECK(strstr(urb_xdb_errmsg(rd), "closed") != NULL);
    uint32_t freq;
    CHECK(urb_xdb_termfreq(rd, "housing", 7, &freq) == URB_X_INVALID);
    CHECK(urb_xdb_reopen(rd, NULL) == URB_X_INVALID);
    CHECK(urb_xdb_close(rd) == URB_X_INVALID);
    urb_xenq_t *late;
    CHECK(urb_xenq_new(rd, &late) == URB_X_INVALID);
    CHECK(late == NULL);
    /* Handles made before the close share the closed database. */
    urb_xmset_t *ms;
    CHECK(urb_xenq_mset(enq, 0, 10, 0, &ms) == URB_X_INVALID);
    CHECK(strstr(urb_xenq_errmsg(enq), "DatabaseClosedError") != NULL);
    const char *data;
    size_t len;
    CHECK(urb_xdoc_get_data(doc, &data, &len) == URB_X_INVALID);

    /* Closing a writer commits what it had. */
    fx_add(w, "7", "rome", "it", 2022, "");
    CHECK(urb_xdb_close(w) == URB_X_OK);
    CHECK(urb_xdb_commit(w) == URB_X_INVALID);
    urb_xdb_t *again = fx_open(dir, URB_XDB_READ);
    CHECK(urb_xdb_stats(again, &st) == URB_X_OK);
    CHECK(st.doccount == 7);

    urb_xdoc_free(doc);
    urb_xquery_free(q);
    urb_xenq_free(enq);
    urb_xdb_free(again);
    urb_xdb_free(rd);
    urb_xdb_free(w);
    urb_test_rmtree(dir);
    free(dir);
}

/* Rewrites every document of the modified_under_reader database, with
 * data that names the revision. */
enum { NDOCS = 1000 };
static void write_revision(urb_xdb_t *w, int rev)
{
    char term[32], data[256];
    for (int i = 1; i <= NDOCS; i++) {
        urb_xdoc_t *doc = urb_xdoc_new();
        CHECK(doc != NULL);
        if (!doc)
            return;
        int n = snprintf(term, sizeof term, "rev%d", rev);
        CHECK(urb_xdoc_add_term(doc, term, (size_t)n, 1) == URB_X_OK);
        n = snprintf(data, sizeof data, "rev%d-%d %0200d", rev, i, 0);
        CHECK(urb_xdoc_set_data(doc, data, (size_t)n) == URB_X_OK);
        n = snprintf(term, sizeof term, "Q%d", i);
        CHECK(urb_xdoc_add_boolean_term(doc, term, (size_t)n) == URB_X_OK);
        CHECK(urb_xdb_replace_by_term(w, term, (size_t)n, doc, NULL) ==
              URB_X_OK);
        urb_xdoc_free(doc);
    }
    CHECK(urb_xdb_commit(w) == URB_X_OK);
}

/* The data of a document as "rev0-1", or the message of the failing
 * call. */
static urb_xstatus_t read_data(urb_xdb_t *db, uint32_t docid, char *out,
                               size_t size)
{
    urb_xdoc_t *doc;
    urb_xstatus_t st = urb_xdb_get_document(db, docid, &doc);
    if (st != URB_X_OK) {
        snprintf(out, size, "%s", urb_xdb_errmsg(db));
        return st;
    }
    const char *data;
    size_t len;
    st = urb_xdoc_get_data(doc, &data, &len);
    if (st == URB_X_OK)
        snprintf(out, size, "%.*s", (int)strcspn(data, " "), data);
    else
        snprintf(out, size, "%s", urb_xdoc_errmsg(doc));
    urb_xdoc_free(doc);
    return st;
}

/* Glass may reuse the blocks of a reader's revision once a writer has
 * committed twice more; the reader then gets DatabaseModifiedError and
 * must reopen. Enough documents make the tables deep enough that the old
 * reader has not cached the blocks it reads; it has cached those of the
 * document it read before, so the failing reads are of another one. */
static void modified_under_reader(void)
{
    char *dir = urb_test_tmpdir();
    urb_xdb_t *w = fx_open(dir, URB_XDB_CREATE_OR_OPEN | URB_XDB_NO_SYNC);
    write_revision(w, 0);
    urb_xdb_t *rd = fx_open(dir, URB_XDB_READ);
    char got[256];

    /* One commit on, the reader still reads its own revision. */
    write_revision(w, 1);
    CHECK(read_data(rd, 1, got, sizeof got) == URB_X_OK);
    CHECK_STR(got, "rev0-1");

    write_revision(w, 2);
    CHECK(read_data(rd, NDOCS, got, sizeof got) == URB_X_MODIFIED);
    CHECK(strstr(got, "DatabaseModifiedError") != NULL);
    fx_terms_t terms = {0};
    urb_xdoc_t *doc;
    urb_xstatus_t st = urb_xdb_get_document(rd, NDOCS - 1, &doc);
    if (st == URB_X_OK) {
        st = urb_xdoc_termlist(doc, fx_term_cb, &terms);
        urb_xdoc_free(doc);
    }
    CHECK(st == URB_X_MODIFIED);

    bool changed = false;
    CHECK(urb_xdb_reopen(rd, &changed) == URB_X_OK);
    CHECK(changed);
    CHECK(read_data(rd, NDOCS, got, sizeof got) == URB_X_OK);
    CHECK_STR(got, "rev2-1000");
    CHECK(urb_xdb_get_document(rd, NDOCS - 1, &doc) == URB_X_OK);
    CHECK(urb_xdoc_termlist(doc, fx_term_cb, &terms) == URB_X_OK);
    CHECK_STR(terms.buf, "Q999:0 rev2:1");
    urb_xdoc_free(doc);

    urb_xdb_free(rd);
    urb_xdb_free(w);
    urb_test_rmtree(dir);
    free(dir);
}

static void malformed_queries(void)
{
    urb_xqp_t *qp;
    CHECK(urb_xqp_new(&qp) == URB_X_OK);
    CHECK(urb_xqp_add_number_range(qp, FX_SLOT_YEAR, "year") == URB_X_OK);
    urb_xquery_t *q = (urb_xquery_t *)&q;
    /* No range processor takes non-numbers. */
    CHECK(urb_xqp_parse(qp, "year:abc..def", URB_XQP_DEFAULT, &q) ==
          URB_X_QUERY);
    CHECK(q == NULL);
    CHECK(strstr(urb_xqp_errmsg(qp), "Unknown range operation") != NULL);
    /* A dangling boolean operator is a syntax error, even retried without
     * flags. */
    CHECK(urb_xqp_parse(qp, "housing AND", URB_XQP_BOOLEAN, &q) == URB_X_QUERY);
    CHECK(strstr(urb_xqp_errmsg(qp), "Syntax") != NULL);
    /* An unbalanced bracket is not: Xapian quietly reparses it. */
    CHECK(urb_xqp_parse(qp, "(housing", URB_XQP_BOOLEAN, &q) == URB_X_OK);
    urb_xquery_free(q);
    urb_xqp_free(qp);
}

URB_TEST_MAIN(T(open_missing), T(open_not_a_database), T(open_corrupt),
              T(second_writer), T(bad_arguments), T(calls_after_close),
              T(modified_under_reader), T(malformed_queries))

/* run.c — the order of a run:
 *
 *   lock INDEX, sweep a dead run, load the current generation's manifest
 *   walk the corpus; a file whose size and mtime match the manifest is
 *     unchanged without being read
 *   scan the others (pipeline.h), then settle id conflicts: of the files
 *     claiming one id, the one whose path sorts first wins
 *   nothing to add, change or delete: publish nothing
 *   else build the next generation aside: a copy of the current one, the
 *     changed files replaced by id, the gone ones deleted; or, with
 *     --full (or no index yet), partial databases written by the workers
 *     in parallel and compacted into one; then the metadata and the
 *     completion tables, committed, published
 */
#include "run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "manifest.h"
#include "pipeline.h"
#include "publish.h"
#include "reader.h"
#include "urbis/complete.h"
#include "urbis/schema.h"
#include "urbis/xapian.h"

/* In tmp, the workers' partial databases of a full run. */
#define PARTS_DIR "parts"

typedef struct run {
    const urb_opts_t *o;
    urb_ui_t *ui;
    urb_summary_t *s;
    urb_pub_t pub;
    urb_files_t files, old;
    bool full;
    urb_xdb_t *db;
    const char **allowed;   /* declared languages, NULL-terminated */
    char **old_ids;         /* sorted */
    size_t n_old_ids;
} run_t;

static bool live(const urb_file_t *f)
{
    return f->state == URB_F_UNCHANGED || f->state == URB_F_INDEX ||
           f->state == URB_F_DONE;
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_id_path(const void *a, const void *b)
{
    const urb_file_t *x = *(urb_file_t *const *)a, *y = *(urb_file_t *const *)b;
    int c = strcmp(x->id, y->id);
    return c ? c : strcmp(x->path, y->path);
}

static bool was_indexed(const run_t *r, const char *id)
{
    return r->n_old_ids &&
           bsearch(&id, r->old_ids, r->n_old_ids, sizeof *r->old_ids, by_str);
}

/* The previous manifest, unless rebuilding; an unreadable one means a
 * rebuild. */
static int load_old(run_t *r)
{
    if (r->full || !r->pub.current[0]) {
        r->full = true;
        return 0;
    }
    char *path = urb_pub_current_file(&r->pub, URB_MANIFEST_NAME);
    if (!path)
        return -1;
    if (urb_manifest_load(path, &r->old) < 0) {
        if (errno == ENOMEM) {
            free(path);
            return -1;
        }
        urb_ui_warning(r->ui, NULL, "%s: %s: rebuilding the whole index",
                       path,
                       errno == ESTALE ? "the index layout changed"
                                       : strerror(errno));
        r->full = true;
    }
    free(path);
    r->old_ids = malloc((r->old.n ? r->old.n : 1) * sizeof *r->old_ids);
    if (!r->old_ids)
        return -1;
    for (size_t i = 0; i < r->old.n; i++)
        if (r->old.v[i].id)
            r->old_ids[r->n_old_ids++] = r->old.v[i].id;
    qsort(r->old_ids, r->n_old_ids, sizeof *r->old_ids, by_str);
    return 0;
}

/* Files the walk could not read, and those unchanged by size and mtime. */
static int classify(run_t *r)
{
    for (size_t i = 0; i < r->files.n; i++) {
        urb_file_t *f = &r->files.v[i];
        if (f->state == URB_F_FAILED) {
            char why[256];
            urb_ui_failed(r->ui, f->path, "%s",
                          urb_read_error(f->err, why, sizeof why));
            continue;
        }
        const urb_file_t *old = f->state == URB_F_NEW
                                    ? urb_files_find(&r->old, f->path)
                                    : NULL;
        if (!old || old->size != f->size || old->mtime != f->mtime)
            continue;
        if (urb_file_as_before(f, old) < 0)
            return -1;
        if (f->state == URB_F_FAILED)
            urb_ui_failed(r->ui, f->path, "%s", f->why);
    }
    return 0;
}

/* Of the live files claiming one id, the first by path keeps it. */
static int settle_conflicts(run_t *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->files.n; i++)
        n += live(&r->files.v[i]);
    urb_file_t **v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return -1;
    n = 0;
    for (size_t i = 0; i < r->files.n; i++)
        if (live(&r->files.v[i]))
            v[n++] = &r->files.v[i];
    qsort(v, n, sizeof *v, by_id_path);
    for (size_t i = 1; i < n; i++) {
        size_t w = i - 1;
        while (w > 0 && v[w]->state == URB_F_FAILED)
            w--;
        if (strcmp(v[i]->id, v[w]->id) != 0)
            continue;
        v[i]->state = URB_F_FAILED;
        urb_ui_failed(r->ui, v[i]->path,
                      "id conflict: \"%s\" is also the id of %s%s%s, "
                      "which is indexed",
                      v[i]->id, r->o->corpus,
                      r->o->corpus[strlen(r->o->corpus) - 1] == '/' ? "" : "/",
                      v[w]->path);
    }
    free(v);
    return 0;
}

/* Ids of the previous generation that no live file has any more; calls
 * fn on each (fn NULL: only count). */
static size_t gone_ids(run_t *r, int (*fn)(run_t *, const char *), int *rc)
{
    size_t n = 0, live_n = 0;
    for (size_t i = 0; i < r->files.n; i++)
        live_n += live(&r->files.v[i]);
    char **ids = malloc((live_n ? live_n : 1) * sizeof *ids);
    if (!ids) {
        *rc = -1;
        return 0;
    }
    live_n = 0;
    for (size_t i = 0; i < r->files.n; i++)
        if (live(&r->files.v[i]))
            ids[live_n++] = r->files.v[i].id;
    qsort(ids, live_n, sizeof *ids, by_str);
    for (size_t i = 0; i < r->n_old_ids; i++) {
        if (live_n && bsearch(&r->old_ids[i], ids, live_n, sizeof *ids, by_str))
            continue;
        n++;
        if (fn && fn(r, r->old_ids[i]) < 0) {
            *rc = -1;
            break;
        }
    }
    free(ids);
    return n;
}

/* The languages the corpus writes down, for identifying the rest. */
static int declared_langs(run_t *r)
{
    size_t n = 0;
    r->allowed = calloc(r->files.n + 1, sizeof *r->allowed);
    if (!r->allowed)
        return -1;
    for (size_t i = 0; i < r->files.n; i++) {
        const urb_file_t *f = &r->files.v[i];
        if (!live(f) || !f->declared || !f->lang[0])
            continue;
        size_t k = 0;
        while (k < n && strcmp(r->allowed[k], f->lang) != 0)
            k++;
        if (k == n)
            r->allowed[n++] = f->lang;
    }
    qsort(r->allowed, n, sizeof *r->allowed, by_str);
    return 0;
}

static int xfail(run_t *r, const char *what, urb_xstatus_t st, const char *msg)
{
    urb_ui_error(r->ui, "%s: %s: %s", what, urb_xstatus_str(st),
                 msg ? msg : "");
    return -1;
}

static int delete_id(run_t *r, const char *id)
{
    size_t il = strlen(id), pl = strlen(URB_PFX_ID);
    char *t = malloc(pl + il + 1);
    if (!t)
        return -1;
    memcpy(t, URB_PFX_ID, pl);
    memcpy(t + pl, id, il + 1);
    urb_xstatus_t st = urb_xdb_delete_by_term(r->db, t, pl + il);
    free(t);
    /* Not found: a generation written by a run that died mid-way could
     * never be published, so this is the database disagreeing with its
     * manifest; the document is gone either way. */
    return st == URB_X_OK || st == URB_X_NOT_FOUND
               ? 0
               : xfail(r, "deleting from the index", st,
                       urb_xdb_errmsg(r->db));
}

/* "de,en,..." of the live files, into the metadata. */
static int set_metadata(run_t *r)
{
    urb_buf_t b = {0};
    const char **langs = calloc(r->files.n + 1, sizeof *langs);
    size_t n = 0;
    int rc = langs ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < r->files.n; i++) {
        const urb_file_t *f = &r->files.v[i];
        if (live(f) && f->lang[0])
            langs[n++] = f->lang;
    }
    if (rc == 0)
        qsort(langs, n, sizeof *langs, by_str);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (!i || strcmp(langs[i], langs[i - 1]) != 0)
            rc = (b.len && urb_buf_append(&b, ",", 1) < 0) ||
                         urb_buf_append(&b, langs[i], strlen(langs[i])) < 0
                     ? -1
                     : 0;
    free(langs);
    if (rc < 0) {
        urb_buf_free(&b);
        urb_ui_error(r->ui, "out of memory");
        return -1;
    }
    urb_xstatus_t st = urb_xdb_set_metadata(r->db, URB_META_LANGS,
                                            b.data ? b.data : "", b.len);
    urb_buf_free(&b);
    if (st == URB_X_OK)
        st = urb_xdb_set_metadata(r->db, URB_META_GENERATION, r->pub.next,
                                  strlen(r->pub.next));
    return st == URB_X_OK ? 0
                          : xfail(r, "writing the index", st,
                                  urb_xdb_errmsg(r->db));
}

/* SUGGEST's tables (complete.h), remade from the terms as they now are. */
static int complete(run_t *r)
{
    char *msg = NULL;
    urb_xstatus_t st = urb_complete_build(r->db, URB_COMPLETE_MIN, &msg);
    int rc = st == URB_X_OK ? 0 : xfail(r, "writing the completion tables", st, msg);
    free(msg);
    return rc;
}

/* The generation's database, tmp itself, into r->db. */
static int open_db(run_t *r, unsigned mode)
{
    char *msg = NULL;
    urb_xstatus_t st =
        urb_xdb_open(r->pub.tmp, mode | URB_XDB_NO_SYNC, &r->db, &msg);
    if (st != URB_X_OK) {
        xfail(r, r->pub.tmp, st, msg);
        free(msg);
        return -1;
    }
    return 0;
}

/* Compacts the workers' partial databases into tmp, removes them, and
 * opens the result. */
static int merge_parts(run_t *r, const urb_pipe_t *p)
{
    if (!p->n_parts)
        return urb_pub_remove(&r->pub, PARTS_DIR) < 0
                   ? (urb_ui_error(r->ui, "%s", r->pub.err), -1)
                   : open_db(r, URB_XDB_CREATE_OR_OVERWRITE);
    char **src = calloc(p->n_parts, sizeof *src);
    int rc = src ? 0 : -1;
    for (unsigned i = 0; rc == 0 && i < p->n_parts; i++) {
        char name[16];
        snprintf(name, sizeof name, "%u", i);
        if (!(src[i] = urb_path_join(p->parts, name)))
            rc = -1;
    }
    char *msg = NULL;
    urb_xstatus_t st = URB_X_NOMEM;
    if (rc == 0)
        st = urb_xdb_compact((const char *const *)src, p->n_parts,
                             r->pub.tmp, &msg);
    for (unsigned i = 0; src && i < p->n_parts; i++)
        free(src[i]);
    free(src);
    if (st != URB_X_OK) {
        xfail(r, "merging the partial databases", st, msg);
        free(msg);
        return -1;
    }
    if (urb_pub_remove(&r->pub, PARTS_DIR) < 0) {
        urb_ui_error(r->ui, "%s", r->pub.err);
        return -1;
    }
    return open_db(r, URB_XDB_CREATE_OR_OPEN);
}

/* Builds the next generation's database in tmp. */
static int build_db(run_t *r)
{
    char *parts = NULL;
    if (r->full) {
        if (!(parts = urb_path_join(r->pub.tmp, PARTS_DIR))) {
            urb_ui_error(r->ui, "out of memory");
            return -1;
        }
    } else if (open_db(r, URB_XDB_CREATE_OR_OPEN) < 0) {
        return -1;
    }
    urb_pipe_t p = {.corpus = r->o->corpus, .jobs = r->o->jobs, .ui = r->ui,
                    .old = &r->old, .allowed = r->allowed, .db = r->db,
                    .parts = parts};
    if (!p.allowed[0])
        p.allowed = NULL;
    int rc = urb_index(&p, &r->files);
    if (rc < 0)
        urb_ui_error(r->ui, "%s", p.err);
    else if (parts)
        rc = merge_parts(r, &p);
    free(parts);
    return rc;
}

/* Builds the next generation in tmp and publishes it. */
static int build(run_t *r)
{
    urb_summary_t *s = r->s;
    if (urb_pub_begin(&r->pub, !r->full) < 0) {
        urb_ui_error(r->ui, "%s", r->pub.err);
        return -1;
    }
    int rc = build_db(r);
    if (rc < 0)
        return -1;
    s->deleted = gone_ids(r, delete_id, &rc);
    if (rc < 0 || set_metadata(r) < 0 || complete(r) < 0)
        return -1;
    urb_xdb_stats_t stats;
    urb_xstatus_t st;
    if ((st = urb_xdb_commit(r->db)) != URB_X_OK ||
        (st = urb_xdb_stats(r->db, &stats)) != URB_X_OK)
        return xfail(r, "writing the index", st, urb_xdb_errmsg(r->db));
    s->documents = stats.doccount;
    if ((st = urb_xdb_close(r->db)) != URB_X_OK)
        return xfail(r, "closing the index", st, urb_xdb_errmsg(r->db));
    char *mpath = urb_indexdir_gen_path(r->pub.tmp, URB_MANIFEST_NAME);
    if (!mpath || urb_manifest_save(mpath, &r->files) < 0) {
        urb_ui_error(r->ui, "%s: %s", mpath ? mpath : "manifest",
                     strerror(errno));
        free(mpath);
        return -1;
    }
    free(mpath);
    rc = urb_pub_commit(&r->pub);
    if (rc < 0) {
        urb_ui_error(r->ui, "%s", r->pub.err);
        return -1;
    }
    if (rc > 0)
        urb_ui_warning(r->ui, NULL, "%s", r->pub.err);
    s->published = true;
    return 0;
}

static void count(run_t *r, bool done)
{
    urb_summary_t *s = r->s;
    for (size_t i = 0; i < r->files.n; i++) {
        const urb_file_t *f = &r->files.v[i];
        switch (f->state) {
        case URB_F_SKIPPED: s->skipped++; break;
        case URB_F_FAILED: s->failed++; break;
        case URB_F_UNCHANGED: s->unchanged++; break;
        case URB_F_DONE:
        case URB_F_INDEX:
            if (!done && f->state == URB_F_INDEX)
                break;
            if (!r->full && was_indexed(r, f->id))
                s->updated++;
            else
                s->added++;
            break;
        case URB_F_NEW: break;
        }
    }
}

static int run(run_t *r)
{
    const urb_opts_t *o = r->o;
    struct stat st;
    int e = stat(o->corpus, &st) < 0 ? errno
            : !S_ISDIR(st.st_mode)   ? ENOTDIR
                                     : 0;
    if (e) {
        urb_ui_error(r->ui, "%s: %s", o->corpus, strerror(e));
        return -1;
    }
    if (urb_pub_open(&r->pub, o->index) < 0) {
        urb_ui_error(r->ui, "%s", r->pub.err);
        return -1;
    }
    memcpy(r->s->gen, r->pub.current, sizeof r->s->gen);
    char *bad = NULL;
    if (load_old(r) < 0 || urb_corpus_walk(o->corpus, &r->files, &bad) < 0) {
        urb_ui_error(r->ui, "%s: %s", bad ? bad : "reading the corpus",
                     strerror(errno));
        free(bad);
        return -1;
    }
    if (o->shards)
        urb_files_keep_shard(&r->files, o->shard, o->shards);
    urb_pipe_t p = {.corpus = o->corpus, .jobs = o->jobs, .ui = r->ui,
                    .old = &r->old};
    if (classify(r) < 0 || urb_scan(&p, &r->files) < 0 ||
        settle_conflicts(r) < 0 || declared_langs(r) < 0) {
        urb_ui_error(r->ui, "%s", p.err[0] ? p.err : "out of memory");
        return -1;
    }
    size_t to_index = 0;
    for (size_t i = 0; i < r->files.n; i++)
        to_index += r->files.v[i].state == URB_F_INDEX;
    int rc = 0;
    size_t gone = gone_ids(r, NULL, &rc);
    if (rc < 0) {
        urb_ui_error(r->ui, "out of memory");
        return -1;
    }
    if (!r->full && !to_index && !gone) {
        count(r, false);
        r->s->documents = r->s->unchanged;
        return 0;
    }
    if (build(r) < 0)
        return -1;
    count(r, true);
    memcpy(r->s->gen, r->pub.current, sizeof r->s->gen);
    return 0;
}

int urb_run(const urb_opts_t *o, urb_ui_t *ui, urb_summary_t *s)
{
    double start = urb_now();
    run_t r = {.o = o, .ui = ui, .s = s, .full = o->full};
    memset(s, 0, sizeof *s);
    r.pub.dir_fd = r.pub.lock_fd = -1;
    int ok = run(&r);
    if (r.db)
        urb_xdb_free(r.db);
    urb_pub_close(&r.pub);
    urb_files_free(&r.files);
    urb_files_free(&r.old);
    free(r.allowed);
    free(r.old_ids);
    s->warnings = ui->warnings;
    s->seconds = urb_now() - start;
    if (ok < 0)
        return URB_EXIT_NOTHING;
    return s->failed ? URB_EXIT_SOME_FAILED : URB_EXIT_OK;
}

/* pipeline.c — worker threads for the scan and index passes, and the
 * writer thread of the index pass (or the workers' own partial
 * databases). */
#include "pipeline.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "manifest.h"
#include "reader.h"
#include "urbis/lang.h"
#include "urbis/schema.h"
#include "urbis/terms.h"

#define PROGRESS_NS 200000000L /* five redraws a second */
#define QUEUE_PER_JOB 2

typedef struct worker worker_t;

typedef struct qitem {
    urb_file_t *f;
    urb_xdoc_t *doc;
} qitem_t;

typedef struct pass {
    urb_pipe_t *p;
    const char *what;                  /* for the progress line */
    void (*one)(worker_t *w, urb_file_t *f);
    urb_file_t **items;
    size_t n;
    atomic_size_t next, done;
    atomic_bool fatal;                 /* the writer failed: stop */

    pthread_mutex_t mu;                /* guards what follows */
    pthread_cond_t not_full, not_empty, changed;
    qitem_t *q;
    size_t qcap, qhead, qlen;
    unsigned workers_left;
    bool writing, writer_done;
    urb_buf_t qterm;                   /* the writer's id term */
} pass_t;

struct worker {
    pass_t *pass;
    urb_buf_t buf;                     /* the file's bytes */
    urb_rdoc_t doc;
    urb_terms_t *terms;                /* index pass only */
    urb_spell_t *spell;                /* index pass only */
    urb_xdb_t *db;                     /* own partial database, or NULL */
    urb_buf_t idterm;                  /* for writing to db */
    char why[256];
};

/* ---- Per file ----------------------------------------------------------- */

static void failed(worker_t *w, urb_file_t *f, const char *why)
{
    f->state = URB_F_FAILED;
    urb_ui_failed(w->pass->p->ui, f->path, "%s", why);
    atomic_fetch_add(&w->pass->done, 1);
}

/* A failure the file's bytes cause: it stands while they do. */
static void bad_bytes(worker_t *w, urb_file_t *f, const char *why)
{
    f->why = strdup(why);
    failed(w, f, why);
}

/* The file's bytes into w->buf, with its size and mtime as read. */
static int load(worker_t *w, urb_file_t *f)
{
    char *path = urb_path_join(w->pass->p->corpus, f->path);
    int rc = path ? urb_slurp(path, &w->buf, &f->size, &f->mtime) : ENOMEM;
    free(path);
    if (rc)
        failed(w, f, urb_read_error(rc, w->why, sizeof w->why));
    return rc ? -1 : 0;
}

static void scan_one(worker_t *w, urb_file_t *f)
{
    if (load(w, f) < 0)
        return;
    f->hash = urb_hash(w->buf.data, w->buf.len);
    const urb_file_t *old = urb_files_find(w->pass->p->old, f->path);
    if (old && old->hash == f->hash && old->size == f->size) {
        /* Touched, not changed. */
        if (urb_file_as_before(f, old) < 0) {
            failed(w, f, "out of memory");
            return;
        }
        if (f->state == URB_F_FAILED) {
            failed(w, f, f->why);
            return;
        }
    } else if (f->reader->declares) {
        if (urb_read(&w->doc, f->reader, f->path, w->buf.data,
                     w->buf.len) < 0) {
            bad_bytes(w, f, w->doc.error);
            return;
        }
        const urb_report_t *r = &w->doc.r;
        if (!(f->id = strndup(r->id.p, r->id.n))) {
            failed(w, f, "out of memory");
            return;
        }
        if (r->lang.n && r->lang.n < sizeof f->lang) {
            memcpy(f->lang, r->lang.p, r->lang.n);
            f->lang[r->lang.n] = '\0';
            f->declared = true;
        }
        f->state = URB_F_INDEX;
    } else {
        if (!(f->id = strndup(f->path, urb_default_id_len(f->path)))) {
            failed(w, f, "out of memory");
            return;
        }
        f->state = URB_F_INDEX;
    }
    atomic_fetch_add(&w->pass->done, 1);
}

/* The report's language when it declares none: the best guess over all
 * languages when it is a confident one, else among those the corpus
 * declares (what short texts need), else the unsure guess. */
static const char *detect(const urb_pipe_t *p, const urb_report_t *r)
{
    const urb_str_t *t = r->text.n ? &r->text : &r->title;
    bool sure;
    const char *any = urb_lang_detect(t->p, t->n, NULL, &sure);
    if (sure || !p->allowed)
        return any;
    const char *declared = urb_lang_detect(t->p, t->n, p->allowed, &sure);
    return declared ? declared : any;
}

/* Stops the pass for a database failure; the first reason stays. */
static void fatal(pass_t *ps, const char *fmt, const char *what,
                  const char *msg)
{
    pthread_mutex_lock(&ps->mu);
    if (!atomic_load(&ps->fatal))
        snprintf(ps->p->err, sizeof ps->p->err, fmt, what, msg);
    atomic_store(&ps->fatal, true);
    pthread_cond_broadcast(&ps->not_full);
    pthread_mutex_unlock(&ps->mu);
}

/* Writes doc under f's id term (built in idterm) into db; the file is
 * done. A failure stops the pass. */
static int write_doc(pass_t *ps, urb_xdb_t *db, urb_buf_t *idterm,
                     urb_file_t *f, const urb_xdoc_t *doc)
{
    idterm->len = 0;
    if (urb_buf_append(idterm, URB_PFX_ID, strlen(URB_PFX_ID)) < 0 ||
        urb_buf_append(idterm, f->id, strlen(f->id)) < 0) {
        fatal(ps, "writing the index: %s%s", "out of memory", "");
        return -1;
    }
    urb_xstatus_t st =
        urb_xdb_replace_by_term(db, idterm->data, idterm->len, doc, NULL);
    if (st != URB_X_OK) {
        fatal(ps, "writing the index: %s: %s", urb_xstatus_str(st),
              urb_xdb_errmsg(db));
        return -1;
    }
    f->state = URB_F_DONE;
    return 0;
}

static int push(pass_t *ps, urb_file_t *f, urb_xdoc_t *doc)
{
    pthread_mutex_lock(&ps->mu);
    while (ps->qlen == ps->qcap && !atomic_load(&ps->fatal))
        pthread_cond_wait(&ps->not_full, &ps->mu);
    bool ok = !atomic_load(&ps->fatal);
    if (ok) {
        ps->q[(ps->qhead + ps->qlen++) % ps->qcap] = (qitem_t){f, doc};
        pthread_cond_signal(&ps->not_empty);
    }
    pthread_mutex_unlock(&ps->mu);
    return ok ? 0 : -1;
}

static void index_one(worker_t *w, urb_file_t *f)
{
    uint64_t hash = f->hash;
    if (load(w, f) < 0)
        return;
    if (urb_hash(w->buf.data, w->buf.len) != hash) {
        failed(w, f, "changed while being indexed (the next run takes it)");
        return;
    }
    urb_rdoc_t *d = &w->doc;
    if (urb_read(d, f->reader, f->path, w->buf.data, w->buf.len) < 0) {
        bad_bytes(w, f, d->error);
        return;
    }
    f->declared = d->r.lang.n > 0;
    if (!d->r.lang.n) {
        const char *code = detect(w->pass->p, &d->r);
        if (code)
            d->r.lang = (urb_str_t){code, strlen(code)};
    }
    f->lang[0] = '\0';
    if (d->r.lang.n < sizeof f->lang) {
        memcpy(f->lang, d->r.lang.p, d->r.lang.n);
        f->lang[d->r.lang.n] = '\0';
    }
    if (d->warning[0])
        urb_ui_warning(w->pass->p->ui, f->path, "%s", d->warning);
    urb_xdoc_t *doc = urb_xdoc_new();
    if (!doc) {
        failed(w, f, "out of memory");
        return;
    }
    if (urb_terms_index(&d->r, w->terms, doc) < 0) {
        urb_xdoc_free(doc);
        bad_bytes(w, f, urb_terms_errmsg(w->terms));
        return;
    }
    if (urb_spell_collect(w->spell, doc) < 0) {
        urb_xdoc_free(doc);
        failed(w, f, "out of memory");
        return;
    }
    if (!w->db) {
        if (push(w->pass, f, doc) < 0)
            urb_xdoc_free(doc);
        return;
    }
    if (write_doc(w->pass, w->db, &w->idterm, f, doc) < 0)
        f->state = URB_F_FAILED;
    urb_xdoc_free(doc);
    atomic_fetch_add(&w->pass->done, 1);
}

/* ---- Threads ------------------------------------------------------------ */

static void *work(void *arg)
{
    worker_t *w = arg;
    pass_t *ps = w->pass;
    while (!atomic_load(&ps->fatal)) {
        size_t i = atomic_fetch_add(&ps->next, 1);
        if (i >= ps->n)
            break;
        ps->one(w, ps->items[i]);
    }
    /* Each partial database gets its spelling words and is flushed by
     * its own thread, in parallel; compaction sums the counts. */
    urb_xstatus_t st;
    if (w->db && !atomic_load(&ps->fatal) &&
        ((st = urb_spell_write(w->spell, w->db)) != URB_X_OK ||
         (st = urb_xdb_commit(w->db)) != URB_X_OK))
        fatal(ps, "writing the index: %s: %s", urb_xstatus_str(st),
              urb_xdb_errmsg(w->db));
    pthread_mutex_lock(&ps->mu);
    if (--ps->workers_left == 0) {
        pthread_cond_broadcast(&ps->not_empty);
        pthread_cond_broadcast(&ps->changed);
    }
    pthread_mutex_unlock(&ps->mu);
    return NULL;
}

static void *writer(void *arg)
{
    pass_t *ps = arg;
    for (;;) {
        pthread_mutex_lock(&ps->mu);
        while (ps->qlen == 0 && ps->workers_left > 0)
            pthread_cond_wait(&ps->not_empty, &ps->mu);
        if (ps->qlen == 0) {
            pthread_mutex_unlock(&ps->mu);
            break;
        }
        qitem_t it = ps->q[ps->qhead];
        ps->qhead = (ps->qhead + 1) % ps->qcap;
        ps->qlen--;
        pthread_cond_signal(&ps->not_full);
        pthread_mutex_unlock(&ps->mu);
        if (!atomic_load(&ps->fatal) &&
            write_doc(ps, ps->p->db, &ps->qterm, it.f, it.doc) < 0)
            it.f->state = URB_F_FAILED;
        urb_xdoc_free(it.doc);
        atomic_fetch_add(&ps->done, 1);
    }
    pthread_mutex_lock(&ps->mu);
    ps->writer_done = true;
    pthread_cond_broadcast(&ps->changed);
    pthread_mutex_unlock(&ps->mu);
    return NULL;
}

static bool finished(const pass_t *ps)
{
    return ps->workers_left == 0 && (!ps->writing || ps->writer_done);
}

/* Waits for the pass, redrawing the progress line meanwhile. */
static void wait_pass(pass_t *ps)
{
    double start = urb_now();
    pthread_mutex_lock(&ps->mu);
    while (!finished(ps)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += PROGRESS_NS;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&ps->changed, &ps->mu, &ts);
        if (finished(ps))
            break;
        pthread_mutex_unlock(&ps->mu);
        urb_ui_progress(ps->p->ui, ps->what, atomic_load(&ps->done), ps->n,
                        urb_now() - start);
        pthread_mutex_lock(&ps->mu);
    }
    pthread_mutex_unlock(&ps->mu);
    urb_ui_progress_end(ps->p->ui);
}

static void worker_free(worker_t *w)
{
    urb_buf_free(&w->buf);
    urb_buf_free(&w->idterm);
    urb_rdoc_free(&w->doc);
    urb_terms_free(w->terms);
    urb_spell_free(w->spell);
    if (w->db)
        urb_xdb_free(w->db);
}

/* Worker i's partial database, parts/i, created empty. 0, or -1 with
 * p->err. */
static int open_part(urb_pipe_t *p, worker_t *w, unsigned i)
{
    char name[16];
    snprintf(name, sizeof name, "%u", i);
    char *path = urb_path_join(p->parts, name);
    char *msg = NULL;
    urb_xstatus_t st =
        path ? urb_xdb_open(path, URB_XDB_CREATE_OR_OVERWRITE | URB_XDB_NO_SYNC,
                            &w->db, &msg)
             : URB_X_NOMEM;
    if (st != URB_X_OK)
        snprintf(p->err, sizeof p->err, "%s: %s: %s", path ? path : p->parts,
                 urb_xstatus_str(st), msg ? msg : "");
    free(msg);
    free(path);
    return st == URB_X_OK ? 0 : -1;
}

/* Sets up worker i of an index pass: its term builder, spelling counts
 * and, with parts, its database. 0, or -1 with p->err. */
static int worker_init(urb_pipe_t *p, worker_t *w, unsigned i)
{
    if (!(w->terms = urb_terms_new()) || !(w->spell = urb_spell_new())) {
        snprintf(p->err, sizeof p->err, "out of memory");
        return -1;
    }
    return p->parts ? open_part(p, w, i) : 0;
}

/* The one writer's database gets the workers' spelling words, once
 * each, after the last document. */
static int write_spelling(urb_pipe_t *p, worker_t *ws, unsigned n)
{
    urb_spell_t *all = NULL;
    for (unsigned i = 0; i < n; i++) {
        if (!ws[i].spell)
            continue;  /* its worker did not start */
        if (!all) {
            all = ws[i].spell;
        } else if (urb_spell_merge(all, ws[i].spell) < 0) {
            snprintf(p->err, sizeof p->err, "out of memory");
            return -1;
        }
    }
    urb_xstatus_t st = all ? urb_spell_write(all, p->db) : URB_X_OK;
    if (st != URB_X_OK) {
        snprintf(p->err, sizeof p->err, "writing the index: %s: %s",
                 urb_xstatus_str(st), urb_xdb_errmsg(p->db));
        return -1;
    }
    return 0;
}

/* Runs one pass over the files of fs in state `state`; an index pass
 * (`index`) has a writer thread unless the workers write parts. */
static int run_pass(urb_pipe_t *p, urb_files_t *fs, urb_fstate_t state,
                    const char *what, void (*one)(worker_t *, urb_file_t *),
                    bool index)
{
    bool write = index && !p->parts;
    pass_t ps = {.p = p, .what = what, .one = one, .writing = write};
    size_t n = 0;
    for (size_t i = 0; i < fs->n; i++)
        n += fs->v[i].state == state;
    if (!n)
        return 0;
    unsigned jobs = p->jobs ? p->jobs : 1;
    if (jobs > n)
        jobs = (unsigned)n;
    ps.items = malloc(n * sizeof *ps.items);
    worker_t *ws = calloc(jobs, sizeof *ws);
    pthread_t *tids = calloc(jobs, sizeof *tids);
    ps.qcap = (size_t)jobs * QUEUE_PER_JOB;
    ps.q = write ? malloc(ps.qcap * sizeof *ps.q) : NULL;
    int rc = -1;
    if (!ps.items || !ws || !tids || (write && !ps.q)) {
        snprintf(p->err, sizeof p->err, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < fs->n; i++)
        if (fs->v[i].state == state)
            ps.items[ps.n++] = &fs->v[i];
    pthread_mutex_init(&ps.mu, NULL);
    pthread_cond_init(&ps.not_full, NULL);
    pthread_cond_init(&ps.not_empty, NULL);
    pthread_cond_init(&ps.changed, NULL);

    unsigned started = 0;
    pthread_t wtid;
    ps.workers_left = jobs;
    if (write && pthread_create(&wtid, NULL, writer, &ps) != 0) {
        snprintf(p->err, sizeof p->err, "cannot start the writer thread");
        goto destroy;
    }
    for (unsigned i = 0; i < jobs; i++) {
        ws[i].pass = &ps;
        if (index && worker_init(p, &ws[i], i) < 0) {
            /* A worker without its part would drop its files. */
            if (p->parts)
                atomic_store(&ps.fatal, true);
            continue;
        }
        if (pthread_create(&tids[started], NULL, work, &ws[i]) == 0)
            started++;
        else if (p->parts)
            atomic_store(&ps.fatal, true);
    }
    /* Threads that did not start are not waited for. */
    pthread_mutex_lock(&ps.mu);
    ps.workers_left -= jobs - started;
    if (!ps.workers_left)
        pthread_cond_broadcast(&ps.not_empty);
    pthread_mutex_unlock(&ps.mu);
    if (started)
        wait_pass(&ps);
    for (unsigned i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    if (write)
        pthread_join(wtid, NULL);
    if (started && !atomic_load(&ps.fatal))
        rc = write ? write_spelling(p, ws, jobs) : 0;
    else if (!p->err[0])
        snprintf(p->err, sizeof p->err, "cannot start worker threads");
destroy:
    pthread_mutex_destroy(&ps.mu);
    pthread_cond_destroy(&ps.not_full);
    pthread_cond_destroy(&ps.not_empty);
    pthread_cond_destroy(&ps.changed);
out:
    for (unsigned i = 0; ws && i < jobs; i++)
        worker_free(&ws[i]);
    urb_buf_free(&ps.qterm);
    free(ps.items);
    free(ws);
    free(tids);
    free(ps.q);
    return rc;
}

int urb_scan(urb_pipe_t *p, urb_files_t *fs)
{
    return run_pass(p, fs, URB_F_NEW, "reading", scan_one, false);
}

int urb_index(urb_pipe_t *p, urb_files_t *fs)
{
    p->n_parts = 0;
    if (p->parts) {
        size_t n = 0;
        for (size_t i = 0; i < fs->n; i++)
            n += fs->v[i].state == URB_F_INDEX;
        /* As many as run_pass starts workers. */
        p->n_parts = p->jobs ? p->jobs : 1;
        if (p->n_parts > n)
            p->n_parts = (unsigned)n;
        if (mkdir(p->parts, 0755) < 0) {
            snprintf(p->err, sizeof p->err, "%s: %s", p->parts,
                     strerror(errno));
            return -1;
        }
    }
    return run_pass(p, fs, URB_F_INDEX, "indexing", index_one, true);
}

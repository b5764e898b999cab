/* pipeline.c — worker threads for the scan and index passes, and the
 * writer thread of the index pass. */
#include "pipeline.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    if (push(w->pass, f, doc) < 0)
        urb_xdoc_free(doc);
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
    pthread_mutex_lock(&ps->mu);
    if (--ps->workers_left == 0) {
        pthread_cond_broadcast(&ps->not_empty);
        pthread_cond_broadcast(&ps->changed);
    }
    pthread_mutex_unlock(&ps->mu);
    return NULL;
}

static int write_one(pass_t *ps, const qitem_t *it)
{
    urb_pipe_t *p = ps->p;
    urb_buf_t *t = &ps->qterm;
    t->len = 0;
    if (urb_buf_append(t, URB_PFX_ID, strlen(URB_PFX_ID)) < 0 ||
        urb_buf_append(t, it->f->id, strlen(it->f->id)) < 0) {
        snprintf(p->err, sizeof p->err, "writing the index: out of memory");
        return -1;
    }
    urb_xstatus_t st = urb_xdb_replace_by_term(p->db, t->data, t->len,
                                               it->doc, NULL);
    if (st == URB_X_OK)
        st = urb_terms_add_spelling(p->db, it->doc);
    if (st != URB_X_OK) {
        snprintf(p->err, sizeof p->err, "writing the index: %s: %s",
                 urb_xstatus_str(st), urb_xdb_errmsg(p->db));
        return -1;
    }
    it->f->state = URB_F_DONE;
    return 0;
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
        if (!atomic_load(&ps->fatal) && write_one(ps, &it) < 0) {
            it.f->state = URB_F_FAILED;
            pthread_mutex_lock(&ps->mu);
            atomic_store(&ps->fatal, true);
            pthread_cond_broadcast(&ps->not_full);
            pthread_mutex_unlock(&ps->mu);
        }
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
    urb_rdoc_free(&w->doc);
    urb_terms_free(w->terms);
}

/* Runs one pass over the files of fs in state `state`. */
static int run_pass(urb_pipe_t *p, urb_files_t *fs, urb_fstate_t state,
                    const char *what, void (*one)(worker_t *, urb_file_t *),
                    bool write)
{
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
        if (write && !(ws[i].terms = urb_terms_new()))
            continue;
        if (pthread_create(&tids[started], NULL, work, &ws[i]) == 0)
            started++;
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
    if (!started)
        snprintf(p->err, sizeof p->err, "cannot start worker threads");
    else if (!atomic_load(&ps.fatal))
        rc = 0;
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
    return run_pass(p, fs, URB_F_INDEX, "indexing", index_one, true);
}

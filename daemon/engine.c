#include "engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "urbis/schema.h"
#include "urbis/indexdir.h"
#include "urbis/xapian.h"

/* The languages of every shard, merged: a language only one shard holds
 * must still expand queries. */
typedef struct langset {
    char langs[URB_LANGS_MAX];
    bool too_long;
} langset_t;

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the comma-separated list v to s, keeping it sorted as the indexer
 * writes it. */
static void langset_add(langset_t *s, const char *v, size_t len)
{
    char all[2 * URB_LANGS_MAX + 2];
    size_t have = strlen(s->langs);
    if (len >= URB_LANGS_MAX) {
        s->too_long = true;
        return;
    }
    memcpy(all, s->langs, have);
    all[have] = ',';
    memcpy(all + have + 1, v, len);
    all[have + 1 + len] = '\0';
    char *items[URB_LANGS_MAX], *save = NULL;
    size_t n = 0;
    for (char *t = strtok_r(all, ",", &save); t; t = strtok_r(NULL, ",", &save))
        items[n++] = t;
    qsort(items, n, sizeof *items, by_str);
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && strcmp(items[i], items[i - 1]) == 0)
            continue;
        size_t l = strlen(items[i]);
        if (out + (out > 0) + l >= URB_LANGS_MAX) {
            s->too_long = true;
            return;
        }
        if (out)
            s->langs[out++] = ',';
        memcpy(s->langs + out, items[i], l);
        out += l;
    }
    s->langs[out] = '\0';
}

static int shard_langs(void *ctx, const char *name, urb_xdb_t *shard)
{
    (void)name;
    char *value = NULL;
    size_t len = 0;
    if (urb_xdb_get_metadata(shard, URB_META_LANGS, &value, &len) != URB_X_OK)
        return -1;
    langset_add(ctx, value, len);
    free(value);
    return 0;
}

/* Opens gen to prove it sound and reads what the engine announces: the
 * documents, the languages of all shards, and a fingerprint when gen is a
 * shard map (its shards can move on while its name stays). */
static int probe(urb_engine_t *e, const char *gen, bool quiet, uint32_t *docs,
                 char langs[URB_LANGS_MAX], bool *live, char **fingerprint)
{
    char *path = urb_indexdir_gen_path(e->index_dir, gen);
    if (!path)
        return -1;
    urb_xdb_t *db = NULL;
    char *msg = NULL;
    langset_t ls = {.langs = ""};
    urb_xstatus_t st = urb_shardmap_open(path, e->remote_timeout_ms,
                                         shard_langs, &ls, &db, live, &msg);
    urb_xdb_stats_t stats;
    *fingerprint = NULL;
    if (st == URB_X_OK)
        st = urb_xdb_stats(db, &stats);
    if (st == URB_X_OK && *live)
        st = urb_xdb_fingerprint(db, fingerprint);
    if (st != URB_X_OK && !quiet) {
        urb_error("cannot open index generation %s: %s: %s", path,
                  urb_xstatus_str(st), msg ? msg : db ? urb_xdb_errmsg(db) : "");
    } else if (st == URB_X_OK) {
        *docs = stats.doccount;
        /* absurd when too long; serve without language expansion */
        memcpy(langs, ls.too_long ? "" : ls.langs, URB_LANGS_MAX);
    }
    free(msg);
    urb_xdb_free(db);
    free(path);
    return st == URB_X_OK ? 0 : -1;
}

/* Serves gen from now on: workers reopen before their next query. */
static void announce(urb_engine_t *e, const char *gen, uint32_t docs,
                     const char *langs, bool live, char *fp)
{
    bool same = strcmp(gen, e->gen) == 0;
    pthread_mutex_lock(&e->lock);
    memcpy(e->gen, gen, URB_GEN_NAME_MAX);
    memcpy(e->langs, langs, URB_LANGS_MAX);
    atomic_store(&e->documents, docs);
    atomic_fetch_add(&e->generation, 1);
    pthread_mutex_unlock(&e->lock);
    free(e->fingerprint);
    e->fingerprint = fp;
    e->live = live;
    e->failed_gen[0] = '\0';
    urb_info("serving %s%s: %u documents, languages %s", gen,
             same ? " (its shards moved on)" : "", docs,
             langs[0] ? langs : "(none)");
}

int urb_engine_check(urb_engine_t *e)
{
    char gen[URB_GEN_NAME_MAX];
    if (urb_indexdir_current(e->index_dir, gen) < 0) {
        if (e->gen[0] == '\0')
            urb_error("no index published in %s: %s (run urbis-index first)",
                      e->index_dir, strerror(errno));
        return e->gen[0] ? 0 : -1;
    }
    if (strcmp(gen, e->gen) == 0)
        return 0;
    if (strcmp(gen, e->failed_gen) == 0)
        return -1; /* said once already */
    uint32_t docs;
    char langs[URB_LANGS_MAX], *fp;
    bool live;
    if (probe(e, gen, false, &docs, langs, &live, &fp) < 0) {
        memcpy(e->failed_gen, gen, sizeof gen);
        if (e->gen[0])
            urb_warn("still serving %s", e->gen);
        return -1;
    }
    announce(e, gen, docs, langs, live, fp);
    return 1;
}

/* A live generation's shards probed off the loop thread: a remote shard
 * may take up to the timeout to answer, and the loop must not wait. */
static void refresh_work(uv_work_t *w)
{
    urb_engine_t *e = w->data;
    /* A shard down is said once, not each second. */
    bool quiet = !e->refresh_ok;
    e->refresh_ok = probe(e, e->refresh_gen, quiet, &e->refresh_docs,
                          e->refresh_langs, &e->refresh_live,
                          &e->refresh_fp) == 0;
}

static void refresh_done(uv_work_t *w, int status)
{
    urb_engine_t *e = w->data;
    char *fp = e->refresh_fp;
    e->refreshing = false;
    e->refresh_fp = NULL;
    /* The pointer moved meanwhile, or nothing changed: drop the result. */
    if (status < 0 || !e->refresh_ok || strcmp(e->refresh_gen, e->gen) != 0 ||
        (fp && e->fingerprint && strcmp(fp, e->fingerprint) == 0)) {
        free(fp);
        return;
    }
    announce(e, e->refresh_gen, e->refresh_docs, e->refresh_langs,
             e->refresh_live, fp);
}

static void refresh(urb_engine_t *e, uv_loop_t *loop)
{
    if (!e->live || e->refreshing)
        return;
    e->refreshing = true;
    if (strcmp(e->refresh_gen, e->gen) != 0)
        e->refresh_ok = true; /* a new generation: say its first failure */
    memcpy(e->refresh_gen, e->gen, sizeof e->refresh_gen);
    e->refresh_req.data = e;
    if (uv_queue_work(loop, &e->refresh_req, refresh_work, refresh_done) < 0)
        e->refreshing = false;
}

int urb_engine_init(urb_engine_t *e, const char *index_dir,
                    unsigned remote_timeout_ms)
{
    memset(e, 0, sizeof *e);
    e->remote_timeout_ms = remote_timeout_ms;
    e->index_dir = strdup(index_dir);
    if (!e->index_dir)
        return -1;
    pthread_mutex_init(&e->lock, NULL);
    return urb_engine_check(e) == 1 ? 0 : -1;
}

int urb_engine_view(urb_engine_t *e, urb_engine_view_t *v)
{
    pthread_mutex_lock(&e->lock);
    v->generation = atomic_load(&e->generation);
    v->path = urb_indexdir_gen_path(e->index_dir, e->gen);
    memcpy(v->langs, e->langs, sizeof v->langs);
    pthread_mutex_unlock(&e->lock);
    return v->path ? 0 : -1;
}

void urb_engine_view_free(urb_engine_view_t *v)
{
    free(v->path);
    v->path = NULL;
}

static void on_poll(uv_timer_t *t)
{
    urb_engine_check(t->data);
    refresh(t->data, t->loop);
}

static void on_dir_event(uv_fs_event_t *h, const char *name, int events,
                         int status)
{
    (void)events;
    if (status == 0 && name && strcmp(name, URB_INDEXDIR_CURRENT) == 0)
        urb_engine_check(h->data);
}

int urb_engine_watch(urb_engine_t *e, uv_loop_t *loop)
{
    uv_timer_init(loop, &e->poll);
    e->poll.data = e;
    uv_timer_start(&e->poll, on_poll, 1000, 1000);
    uv_fs_event_init(loop, &e->watch);
    e->watch.data = e;
    /* The timer alone meets the one-second promise; the watch makes the
     * switch immediate where inotify works. */
    int rc = uv_fs_event_start(&e->watch, on_dir_event, e->index_dir, 0);
    if (rc < 0)
        urb_warn("cannot watch %s (%s); polling each second", e->index_dir,
                 uv_strerror(rc));
    return 0;
}

void urb_engine_unwatch(urb_engine_t *e)
{
    uv_close((uv_handle_t *)&e->poll, NULL);
    uv_close((uv_handle_t *)&e->watch, NULL);
}

void urb_engine_free(urb_engine_t *e)
{
    pthread_mutex_destroy(&e->lock);
    free(e->fingerprint);
    free(e->index_dir);
}

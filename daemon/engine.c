#include "engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "urbis/schema.h"
#include "urbis/xapian.h"

/* Opens gen to prove it sound and reads what the engine announces. */
static int probe(urb_engine_t *e, const char *gen, uint32_t *docs,
                 char langs[URB_LANGS_MAX])
{
    char *path = urb_indexdir_gen_path(e->index_dir, gen);
    if (!path)
        return -1;
    urb_xdb_t *db = NULL;
    char *msg = NULL;
    urb_xstatus_t st = urb_xdb_open(path, URB_XDB_READ, &db, &msg);
    urb_xdb_stats_t stats;
    char *value = NULL;
    size_t len = 0;
    if (st == URB_X_OK)
        st = urb_xdb_stats(db, &stats);
    if (st == URB_X_OK)
        st = urb_xdb_get_metadata(db, URB_META_LANGS, &value, &len);
    if (st != URB_X_OK) {
        urb_error("cannot open index generation %s: %s: %s", path,
                  urb_xstatus_str(st), msg ? msg : db ? urb_xdb_errmsg(db) : "");
    } else {
        *docs = stats.doccount;
        if (len >= URB_LANGS_MAX)
            len = 0; /* absurd; serve without language expansion */
        memcpy(langs, value, len);
        langs[len] = '\0';
    }
    free(value);
    free(msg);
    urb_xdb_free(db);
    free(path);
    return st == URB_X_OK ? 0 : -1;
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
    char langs[URB_LANGS_MAX];
    if (probe(e, gen, &docs, langs) < 0) {
        memcpy(e->failed_gen, gen, sizeof gen);
        if (e->gen[0])
            urb_warn("still serving %s", e->gen);
        return -1;
    }
    pthread_mutex_lock(&e->lock);
    memcpy(e->gen, gen, sizeof gen);
    memcpy(e->langs, langs, sizeof langs);
    atomic_store(&e->documents, docs);
    atomic_fetch_add(&e->generation, 1);
    pthread_mutex_unlock(&e->lock);
    e->failed_gen[0] = '\0';
    urb_info("serving %s: %u documents, languages %s", gen, docs,
             langs[0] ? langs : "(none)");
    return 1;
}

int urb_engine_init(urb_engine_t *e, const char *index_dir)
{
    memset(e, 0, sizeof *e);
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
    free(e->index_dir);
}

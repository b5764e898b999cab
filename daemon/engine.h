/* engine.h — which index generation is served, and the switch to a newer
 * one. The loop thread checks INDEX/current (each second, on a change in
 * the folder, on RELOAD and SIGHUP); a new generation is opened once to
 * prove it sound before it is announced. Workers see the generation number
 * move and reopen their own handles before their next query, so no query
 * fails across a switch. A generation that is a shard map (see
 * urbis/shardmap.h) is probed again each second off the loop thread, and
 * its fingerprint moving (a remote shard or a replica published anew) is
 * a switch too. */
#ifndef URBISD_ENGINE_H
#define URBISD_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "urbis/indexdir.h"

#define URB_LANGS_MAX 512

typedef struct urb_engine {
    char *index_dir;
    /* Announced state; written on the loop thread under `lock`. */
    pthread_mutex_t lock;
    char gen[URB_GEN_NAME_MAX];
    char langs[URB_LANGS_MAX];     /* "en,es,...", the index's languages */
    _Atomic uint32_t documents;
    _Atomic unsigned generation;   /* bumped at each switch */
    char failed_gen[URB_GEN_NAME_MAX]; /* last one that did not open */
    unsigned remote_timeout_ms;    /* for remote shards' replies */
    bool live;                     /* gen is a shard map: poll its shards */
    char *fingerprint;             /* of a live gen's shards, malloc'd */
    /* The poll's probe of a live gen, on a libuv work thread. */
    uv_work_t refresh_req;
    bool refreshing, refresh_ok, refresh_live;
    char refresh_gen[URB_GEN_NAME_MAX];
    char refresh_langs[URB_LANGS_MAX];
    uint32_t refresh_docs;
    char *refresh_fp;
    uv_timer_t poll;
    uv_fs_event_t watch;
} urb_engine_t;

/* A worker's copy of what it needs to open the served generation. */
typedef struct urb_engine_view {
    unsigned generation;
    char *path;                    /* malloc'd */
    char langs[URB_LANGS_MAX];
} urb_engine_view_t;

/* Opens the generation INDEX/current names. 0, or -1 after logging why.
 * A remote shard's reply later than remote_timeout_ms is a failure. */
int urb_engine_init(urb_engine_t *e, const char *index_dir,
                    unsigned remote_timeout_ms);
/* Starts watching for new generations on `loop`. */
int urb_engine_watch(urb_engine_t *e, uv_loop_t *loop);
/* Switches to a newer generation if one is published and sound.
 * Returns 1 when it switched, 0 when nothing changed, -1 when the new one
 * failed to open (the old one is still served). */
int urb_engine_check(urb_engine_t *e);
/* Fills *v (any thread). 0, or -1 on OOM. */
int urb_engine_view(urb_engine_t *e, urb_engine_view_t *v);
void urb_engine_view_free(urb_engine_view_t *v);
/* Stops watching; close callbacks run on the next loop turn. */
void urb_engine_unwatch(urb_engine_t *e);
void urb_engine_free(urb_engine_t *e);

#endif

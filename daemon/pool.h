/* pool.h — the query workers: a fixed set of threads, each with state of
 * its own (its Xapian handle, parser and stemmers), fed from one queue.
 * Jobs run on a worker; their completion runs on the libuv loop thread.
 * Xapian never runs on the loop thread, so a slow query stalls no I/O. */
#ifndef URBISD_POOL_H
#define URBISD_POOL_H

#include <uv.h>

typedef struct urb_job urb_job_t;
struct urb_job {
    /* On a worker thread, with that worker's state (NULL: see below). */
    void (*run)(urb_job_t *job, void *state);
    /* On the loop thread, after run. */
    void (*done)(urb_job_t *job);
    urb_job_t *next; /* the pool's */
};

typedef struct urb_pool urb_pool_t;

/* Starts n workers; each calls state_new(arg) once on its own thread, and
 * state_free on its state when the pool stops. A worker whose state_new
 * returned NULL (out of memory) calls it again before each job, and runs
 * the job with a NULL state when it fails again: run must answer for
 * that. NULL on failure. */
urb_pool_t *urb_pool_new(uv_loop_t *loop, unsigned n,
                         void *(*state_new)(void *arg),
                         void (*state_free)(void *state), void *arg);
/* Queues a job; the job belongs to the caller and must live until done. */
void urb_pool_submit(urb_pool_t *pool, urb_job_t *job);
/* Jobs queued or running. */
unsigned urb_pool_pending(const urb_pool_t *pool);
/* Waits for the queued jobs, stops the workers and frees the pool; the
 * jobs' done callbacks have all run when it returns. Loop thread only. */
void urb_pool_free(urb_pool_t *pool);

#endif

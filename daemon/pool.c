#include "pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct urb_pool {
    uv_async_t wakeup;     /* a worker finished jobs */
    pthread_mutex_t lock;
    pthread_cond_t ready;  /* the queue got a job, or stop */
    urb_job_t *head, *tail; /* queued jobs */
    urb_job_t *finished;   /* run, done not yet called (LIFO) */
    unsigned pending;      /* loop thread only */
    bool stop;
    unsigned nthreads;
    pthread_t *threads;
    void *(*state_new)(void *);
    void (*state_free)(void *);
    void *arg;
};

static void *worker_main(void *p)
{
    urb_pool_t *pool = p;
    void *state = pool->state_new(pool->arg);
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (!pool->head && !pool->stop)
            pthread_cond_wait(&pool->ready, &pool->lock);
        if (!pool->head)
            break;
        urb_job_t *job = pool->head;
        pool->head = job->next;
        if (!pool->head)
            pool->tail = NULL;
        pthread_mutex_unlock(&pool->lock);

        job->run(job, state);

        pthread_mutex_lock(&pool->lock);
        job->next = pool->finished;
        pool->finished = job;
        uv_async_send(&pool->wakeup);
    }
    pthread_mutex_unlock(&pool->lock);
    if (pool->state_free)
        pool->state_free(state);
    return NULL;
}

/* Calls done for every finished job, oldest first. */
static void reap(urb_pool_t *pool)
{
    pthread_mutex_lock(&pool->lock);
    urb_job_t *list = pool->finished;
    pool->finished = NULL;
    pthread_mutex_unlock(&pool->lock);

    urb_job_t *fifo = NULL;
    while (list) {
        urb_job_t *next = list->next;
        list->next = fifo;
        fifo = list;
        list = next;
    }
    while (fifo) {
        urb_job_t *next = fifo->next;
        pool->pending--;
        fifo->done(fifo);
        fifo = next;
    }
}

static void on_wakeup(uv_async_t *handle)
{
    reap(handle->data);
}

urb_pool_t *urb_pool_new(uv_loop_t *loop, unsigned n,
                         void *(*state_new)(void *arg),
                         void (*state_free)(void *state), void *arg)
{
    urb_pool_t *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pool->threads = calloc(n, sizeof *pool->threads);
    if (!pool->threads || uv_async_init(loop, &pool->wakeup, on_wakeup)) {
        free(pool->threads);
        free(pool);
        return NULL;
    }
    pool->wakeup.data = pool;
    pool->state_new = state_new;
    pool->state_free = state_free;
    pool->arg = arg;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->ready, NULL);
    for (; pool->nthreads < n; pool->nthreads++)
        if (pthread_create(&pool->threads[pool->nthreads], NULL, worker_main,
                           pool))
            break;
    if (pool->nthreads == 0) {
        urb_pool_free(pool);
        return NULL;
    }
    return pool;
}

void urb_pool_submit(urb_pool_t *pool, urb_job_t *job)
{
    job->next = NULL;
    pool->pending++;
    pthread_mutex_lock(&pool->lock);
    if (pool->tail)
        pool->tail->next = job;
    else
        pool->head = job;
    pool->tail = job;
    pthread_cond_signal(&pool->ready);
    pthread_mutex_unlock(&pool->lock);
}

unsigned urb_pool_pending(const urb_pool_t *pool)
{
    return pool->pending;
}

static void on_closed(uv_handle_t *handle)
{
    free(handle->data);
}

void urb_pool_free(urb_pool_t *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->stop = true;
    pthread_cond_broadcast(&pool->ready);
    pthread_mutex_unlock(&pool->lock);
    /* Workers drain the queue before they see stop. */
    for (unsigned i = 0; i < pool->nthreads; i++)
        pthread_join(pool->threads[i], NULL);
    reap(pool);
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->ready);
    free(pool->threads);
    uv_close((uv_handle_t *)&pool->wakeup, on_closed);
}

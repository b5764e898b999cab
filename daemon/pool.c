#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Workers wake the loop through an eventfd rather than uv_async_t: under
 * load, libuv 1.44's async handle makes the loop spin (pause, then
 * sched_yield) while a worker is between its two steps of
 * uv_async_send, and with more threads than cores that worker is often
 * descheduled there; the loop thread burnt a whole core so. Only the job
 * that finds the finished list empty writes: the loop reaps the rest with
 * it. */
struct urb_pool {
    uv_poll_t wakeup;       /* efd is readable: jobs finished */
    int efd;
    pthread_mutex_t lock;
    pthread_cond_t ready;   /* the queue got a job, or stop */
    urb_job_t *head, *tail; /* queued jobs */
    urb_job_t *finished;    /* run, done not yet called (LIFO) */
    unsigned pending;       /* loop thread only */
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

        /* Out of memory at start: try again, else the job answers so. */
        if (!state)
            state = pool->state_new(pool->arg);
        job->run(job, state);

        pthread_mutex_lock(&pool->lock);
        bool first = pool->finished == NULL;
        job->next = pool->finished;
        pool->finished = job;
        if (first) {
            pthread_mutex_unlock(&pool->lock);
            uint64_t one = 1;
            /* Only EAGAIN can fail here (the counter is full), and then
             * the loop has a wakeup waiting anyway. */
            while (write(pool->efd, &one, sizeof one) < 0 && errno == EINTR)
                ;
            pthread_mutex_lock(&pool->lock);
        }
    }
    pthread_mutex_unlock(&pool->lock);
    if (state && pool->state_free)
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

static void on_wakeup(uv_poll_t *handle, int status, int events)
{
    (void)status, (void)events;
    urb_pool_t *pool = handle->data;
    uint64_t count;
    /* Emptied before the reap: a job finished after it writes again. */
    while (read(pool->efd, &count, sizeof count) < 0 && errno == EINTR)
        ;
    reap(pool);
}

urb_pool_t *urb_pool_new(uv_loop_t *loop, unsigned n,
                         void *(*state_new)(void *arg),
                         void (*state_free)(void *state), void *arg)
{
    urb_pool_t *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pool->threads = calloc(n, sizeof *pool->threads);
    pool->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!pool->threads || pool->efd < 0 ||
        uv_poll_init(loop, &pool->wakeup, pool->efd) < 0) {
        if (pool->efd >= 0)
            close(pool->efd);
        free(pool->threads);
        free(pool);
        return NULL;
    }
    pool->wakeup.data = pool;
    pool->state_new = state_new;
    pool->state_free = state_free;
    pool->arg = arg;
    uv_poll_start(&pool->wakeup, UV_READABLE, on_wakeup);
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
    urb_pool_t *pool = handle->data;
    close(pool->efd);
    free(pool);
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

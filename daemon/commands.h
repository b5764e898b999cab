/* commands.h — the protocol's commands as one static table. A command's
 * handler runs on the loop thread: it checks the request and either
 * answers at once or fills req->args and hands the request to a worker,
 * where `run` writes the reply. */
#ifndef URBISD_COMMANDS_H
#define URBISD_COMMANDS_H

#include "server.h"
#include "urbis/proto.h"

typedef struct urb_command {
    const char *name;
    const char *usage;
    bool admin; /* only on the Unix socket or after AUTH */
    void (*handle)(urb_conn_t *c, urb_req_t *req, const urb_request_t *rq);
    /* On a worker (state: urb_worker_t); writes req->result and sets
     * req->failed. NULL for commands answered on the loop thread. */
    void (*run)(urb_req_t *req, void *worker);
    void (*free_args)(void *args);
    bool cached; /* its OK replies go to the reply cache (cache.h) */
} urb_command_t;

/* The table, ended by a NULL name. */
extern const urb_command_t urb_commands[];

/* Looks the verb up and runs its handler; always answers req, now or
 * once its worker is done. */
void urb_command_dispatch(urb_conn_t *c, urb_req_t *req,
                          const urb_request_t *rq);

#endif

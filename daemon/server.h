/* server.h — urbisd's network side: listeners, connections, the ordered
 * reply queue of each connection, backpressure, timeouts and draining.
 * Everything here runs on the loop thread. */
#ifndef URBISD_SERVER_H
#define URBISD_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "cache.h"
#include "engine.h"
#include "histogram.h"
#include "pool.h"
#include "urbis/proto.h"
#include "urbis/text.h"

typedef struct urb_config {
    const char *index;
    const char *listen;          /* HOST:PORT, NULL: none */
    const char *socket;          /* Unix socket path, NULL: none */
    const char *admin_token_file;
    unsigned threads;
    unsigned max_connections;
    unsigned query_timeout_ms;
    unsigned idle_timeout_s;     /* 0: never */
    unsigned max_line;
    unsigned max_inflight;       /* per connection, before reads pause */
    size_t max_output;           /* unsent bytes per connection, idem */
    size_t cache_bytes;          /* reply cache budget, 0: none (cache.h) */
    bool debug_commands;         /* DEBUG SLEEP, for tests */
} urb_config_t;

typedef struct urb_server urb_server_t;
typedef struct urb_conn urb_conn_t;
typedef struct urb_req urb_req_t;

/* One request that waits for its reply. Replies leave a connection in
 * request order, so a finished request waits for those before it. */
struct urb_req {
    urb_job_t job;          /* when it runs on a worker */
    urb_server_t *srv;
    urb_conn_t *conn;       /* NULL once the connection no longer waits */
    urb_req_t *next;        /* the connection's queue */
    urb_req_t *tprev, *tnext; /* the server's list of running requests */
    urb_buf_t reply;        /* the reply line, loop thread */
    urb_buf_t result;       /* what the worker wrote */
    uint64_t start_ns;
    uint64_t deadline_ms;
    bool done;              /* reply is final */
    bool running;           /* a worker holds it */
    bool failed;            /* the reply is an ERR */
    const struct urb_command *cmd;
    void *args;             /* the command's parsed arguments */
    /* Set when the reply may be cached: its key (malloc'd) and the
     * generation served when it was asked. */
    urb_buf_t cache_key;
    unsigned cache_gen;
    /* A request from another front end (http.c) has no connection: this
     * is called on the loop thread once its reply is final. */
    void (*on_reply)(urb_req_t *req);
    void *owner;            /* for on_reply */
};

struct urb_conn {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } h;
    urb_server_t *srv;
    urb_linebuf_t in;
    urb_buf_t out;          /* replies ready, waiting for the socket */
    urb_buf_t writing;      /* replies being written */
    uv_write_t wreq;
    urb_req_t *head, *tail; /* requests without their reply yet sent */
    unsigned waiting;       /* length of that queue */
    uint64_t last_active_ms;
    bool is_unix, admin, reading, eof, quit, closing, write_busy;
    urb_conn_t *prev, *next;
};

struct urb_server {
    uv_loop_t *loop;
    const urb_config_t *cfg;
    urb_engine_t *engine;
    urb_pool_t *pool;
    char *admin_token;      /* NULL: AUTH never succeeds */
    uv_tcp_t tcp;
    uv_pipe_t pipe;
    bool has_tcp, has_pipe, draining, drained;
    urb_conn_t *conns;
    unsigned nconns;
    urb_req_t *running_head, *running_tail; /* by deadline */
    uv_timer_t deadline_timer, idle_timer;
    uint64_t started_ms;
    uint64_t requests, errors, connections_total;
    urb_hist_t latency;
    urb_request_t request;  /* the line being dispatched */
    urb_buf_t scratch;      /* replies built on the loop thread */
    urb_cache_t *cache;
    void (*on_drained)(urb_server_t *srv);
};

int urb_server_start(urb_server_t *srv, uv_loop_t *loop,
                     const urb_config_t *cfg, urb_engine_t *engine,
                     urb_pool_t *pool);
/* Stops accepting, answers what was read, closes every connection, then
 * calls srv->on_drained. */
void urb_server_drain(urb_server_t *srv);
void urb_server_free(urb_server_t *srv);

/* For command handlers: finish `req` with an OK reply whose JSON object
 * is in `json` (without "OK "), or with an error. */
void urb_req_ok(urb_req_t *req, const char *json, size_t len);
void urb_req_err(urb_req_t *req, urb_errcode_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* After QUIT: read no more, close once the replies are written. */
void urb_conn_quit(urb_conn_t *c);
/* Hands `req` to a worker: cmd->run there, then cmd->finish here. */
void urb_req_submit(urb_req_t *req);

/* For front ends other than the line protocol (http.c): a request that
 * is answered through on_reply(req) instead of a connection. Dispatch it
 * with urb_command_dispatch(NULL, req, rq); when req->done is already set
 * on return it was answered at once and on_reply is not called. The
 * front end owns it and calls urb_req_release once it has read the reply
 * or no longer waits for one (it is then freed, or by the pool once its
 * worker is done). NULL on OOM. */
urb_req_t *urb_req_new_detached(urb_server_t *srv,
                                void (*on_reply)(urb_req_t *req), void *owner);
void urb_req_release(urb_req_t *req);
/* Binds and listens on HOST:PORT ([::1]:PORT for IPv6); tcp is
 * initialised here. 0, or -1 after logging why. */
int urb_tcp_listen(uv_loop_t *loop, uv_tcp_t *tcp, const char *hostport,
                   uv_connection_cb on_connection);

#endif

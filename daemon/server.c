#include "server.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "log.h"

static void conn_close(urb_conn_t *c);
static void conn_process(urb_conn_t *c);
static void conn_flush(urb_conn_t *c);
static void on_deadline(uv_timer_t *t);
static void req_notify(urb_req_t *req);

/* ---- Requests ------------------------------------------------------------ */

static void req_free(urb_req_t *req)
{
    if (req->cmd && req->cmd->free_args && req->args)
        req->cmd->free_args(req->args);
    urb_buf_free(&req->reply);
    urb_buf_free(&req->result);
    urb_buf_free(&req->cache_key);
    free(req);
}

/* Counts the finished request. Its connection writes it later, when it
 * flushes: never from here, so a handler may still use the request. */
static void req_finish(urb_req_t *req)
{
    urb_server_t *srv = req->srv;
    req->done = true;
    srv->requests++;
    if (req->failed)
        srv->errors++;
    urb_hist_add(&srv->latency, (uv_hrtime() - req->start_ns) / 1000);
}

static void req_set_err(urb_buf_t *b, urb_errcode_t code, const char *fmt,
                        va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    b->len = 0;
    urb_proto_err(b, code, "%s", msg);
}

void urb_req_err(urb_req_t *req, urb_errcode_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    req_set_err(&req->reply, code, fmt, ap);
    va_end(ap);
    req->failed = true;
    req_finish(req);
}

void urb_req_ok(urb_req_t *req, const char *json, size_t len)
{
    req->reply.len = 0;
    if (urb_buf_append(&req->reply, "OK ", 3) < 0 ||
        urb_buf_append(&req->reply, json, len) < 0 ||
        urb_buf_append(&req->reply, "\n", 1) < 0) {
        urb_req_err(req, URB_ERR_INTERNAL, "out of memory");
        return;
    }
    req_finish(req);
}

/* The running list is in deadline order: every request has the same
 * timeout, so appending keeps it sorted. */
static void running_unlink(urb_server_t *srv, urb_req_t *req)
{
    if (req->tprev)
        req->tprev->tnext = req->tnext;
    else
        srv->running_head = req->tnext;
    if (req->tnext)
        req->tnext->tprev = req->tprev;
    else
        srv->running_tail = req->tprev;
    req->tprev = req->tnext = NULL;
}

static void arm_deadline(urb_server_t *srv)
{
    if (!srv->running_head) {
        uv_timer_stop(&srv->deadline_timer);
        return;
    }
    uint64_t now = uv_now(srv->loop), due = srv->running_head->deadline_ms;
    uv_timer_start(&srv->deadline_timer, on_deadline,
                   due > now ? due - now : 0, 0);
}

static void on_deadline(uv_timer_t *t)
{
    urb_server_t *srv = t->data;
    uint64_t now = uv_now(srv->loop);
    while (srv->running_head && srv->running_head->deadline_ms <= now) {
        urb_req_t *req = srv->running_head;
        running_unlink(srv, req);
        /* The worker finishes in its own time; its result is dropped. */
        urb_req_err(req, URB_ERR_TIMEOUT, "query ran past %u ms",
                    srv->cfg->query_timeout_ms);
        req_notify(req);
    }
    arm_deadline(srv);
}

/* Hands a final reply to whoever waits for it. */
static void req_notify(urb_req_t *req)
{
    if (req->on_reply)
        req->on_reply(req);
    else if (req->conn)
        conn_flush(req->conn);
}

static void job_run(urb_job_t *job, void *state)
{
    urb_req_t *req = (urb_req_t *)job;
    req->cmd->run(req, state);
}

static void job_done(urb_job_t *job)
{
    urb_req_t *req = (urb_req_t *)job;
    req->running = false;
    if (req->done) { /* timed out; free it unless its reply still waits */
        if (!req->conn && !req->on_reply)
            req_free(req);
        return;
    }
    running_unlink(req->srv, req);
    urb_buf_t t = req->reply;
    req->reply = req->result;
    req->result = t;
    if (!req->conn && !req->on_reply) { /* nobody is waiting any more */
        req_free(req);
        return;
    }
    if (!req->failed && req->cache_key.len &&
        req->cache_gen == atomic_load(&req->srv->engine->generation))
        urb_cache_put(req->srv->cache, req->cache_gen, &req->cache_key,
                      req->reply.data, req->reply.len);
    req_finish(req);
    req_notify(req);
}

void urb_req_submit(urb_req_t *req)
{
    urb_server_t *srv = req->srv;
    req->running = true;
    req->job.run = job_run;
    req->job.done = job_done;
    req->deadline_ms = uv_now(srv->loop) + srv->cfg->query_timeout_ms;
    req->tprev = srv->running_tail;
    if (srv->running_tail)
        srv->running_tail->tnext = req;
    else
        srv->running_head = req;
    srv->running_tail = req;
    if (!uv_is_active((uv_handle_t *)&srv->deadline_timer))
        arm_deadline(srv);
    urb_pool_submit(srv->pool, &req->job);
}

urb_req_t *urb_req_new_detached(urb_server_t *srv,
                                void (*on_reply)(urb_req_t *req), void *owner)
{
    urb_req_t *req = calloc(1, sizeof *req);
    if (!req)
        return NULL;
    req->srv = srv;
    req->on_reply = on_reply;
    req->owner = owner;
    req->start_ns = uv_hrtime();
    return req;
}

void urb_req_release(urb_req_t *req)
{
    req->on_reply = NULL;
    if (!req->running)
        req_free(req);
}

/* ---- Connections --------------------------------------------------------- */

static bool conn_congested(const urb_conn_t *c)
{
    const urb_config_t *cfg = c->srv->cfg;
    return c->waiting >= cfg->max_inflight ||
           c->out.len + c->writing.len >= cfg->max_output;
}

static bool conn_relieved(const urb_conn_t *c)
{
    const urb_config_t *cfg = c->srv->cfg;
    return c->waiting <= cfg->max_inflight / 2 &&
           c->out.len + c->writing.len <= cfg->max_output / 2;
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    urb_conn_t *c = h->data;
    (void)hint;
    size_t avail = 0;
    buf->base = urb_linebuf_space(&c->in, 64 * 1024, &avail);
    buf->len = buf->base ? avail : 0;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    urb_conn_t *c = s->data;
    (void)buf;
    if (nread > 0) {
        urb_linebuf_commit(&c->in, (size_t)nread);
        c->last_active_ms = uv_now(c->srv->loop);
        conn_process(c);
        return;
    }
    if (nread == 0) /* EAGAIN, or no buffer */
        return;
    if (nread != UV_EOF)
        urb_debug("connection read error: %s", uv_strerror((int)nread));
    /* The peer is done sending: answer what it sent, then close. */
    uv_read_stop(s);
    c->reading = false;
    c->eof = true;
    conn_process(c);
}

static void conn_read(urb_conn_t *c, bool on)
{
    if (on == c->reading || c->eof || c->closing || c->quit)
        return;
    if (on && c->srv->draining)
        return;
    if (on)
        uv_read_start(&c->h.stream, on_alloc, on_read);
    else
        uv_read_stop(&c->h.stream);
    c->reading = on;
}

/* Queues req behind the connection's earlier requests. */
static void conn_enqueue(urb_conn_t *c, urb_req_t *req)
{
    if (c->tail)
        c->tail->next = req;
    else
        c->head = req;
    c->tail = req;
    c->waiting++;
}

static urb_req_t *req_new(urb_conn_t *c)
{
    urb_req_t *req = calloc(1, sizeof *req);
    if (!req)
        return NULL;
    req->srv = c->srv;
    req->conn = c;
    req->start_ns = uv_hrtime();
    return req;
}

static void conn_process(urb_conn_t *c)
{
    urb_server_t *srv = c->srv;
    while (!c->closing && !c->quit && !conn_congested(c)) {
        urb_str_t line;
        int rc = urb_linebuf_next(&c->in, &line);
        if (rc == URB_LINE_NONE)
            break;
        int parsed = 0;
        if (rc == URB_LINE_READY) {
            parsed = urb_request_parse(&srv->request, line.p, line.n);
            if (parsed == 0)
                continue; /* blank: no reply */
        }
        urb_req_t *req = req_new(c);
        if (!req) {
            conn_close(c);
            return;
        }
        conn_enqueue(c, req);
        if (rc == URB_LINE_TOO_LONG)
            urb_req_err(req, URB_ERR_TOO_LONG,
                        "request line longer than %u bytes", srv->cfg->max_line);
        else if (parsed < 0)
            urb_req_err(req, srv->request.err, "%s", srv->request.errmsg);
        else
            urb_command_dispatch(c, req, &srv->request);
    }
    if (c->closing)
        return;
    conn_read(c, !c->quit && !conn_congested(c));
    conn_flush(c);
}

static void on_write(uv_write_t *w, int status)
{
    urb_conn_t *c = w->data;
    c->write_busy = false;
    c->writing.len = 0;
    if (status < 0) {
        urb_debug("connection write error: %s", uv_strerror(status));
        conn_close(c);
        return;
    }
    if (c->closing)
        return;
    if (conn_relieved(c))
        conn_process(c); /* lines left waiting while congested, first */
    else
        conn_flush(c);
}

/* Moves finished replies, in order, to the socket; closes the connection
 * once it has nothing more to say and nothing more to hear. */
static void conn_flush(urb_conn_t *c)
{
    while (c->head && c->head->done) {
        urb_req_t *req = c->head;
        c->head = req->next;
        if (!c->head)
            c->tail = NULL;
        c->waiting--;
        if (urb_buf_append(&c->out, req->reply.data, req->reply.len) < 0) {
            conn_close(c);
            return;
        }
        req->conn = NULL;
        if (!req->running)
            req_free(req);
    }
    if (c->closing)
        return;
    if (!c->write_busy && c->out.len > 0) {
        urb_buf_t t = c->writing;
        c->writing = c->out;
        c->out = t;
        c->out.len = 0;
        uv_buf_t b = uv_buf_init(c->writing.data, (unsigned)c->writing.len);
        c->wreq.data = c;
        int rc = uv_write(&c->wreq, &c->h.stream, &b, 1, on_write);
        if (rc < 0) {
            conn_close(c);
            return;
        }
        c->write_busy = true;
    }
    /* Complete lines are all taken by now: conn_process takes them before
     * it flushes, and while congested a reply or a write is pending. */
    if ((c->quit || c->eof || c->srv->draining) && !c->head && !c->write_busy)
        conn_close(c);
}

/* Once: the last connection is gone after a drain began. */
static void server_drained(urb_server_t *srv)
{
    if (srv->drained)
        return;
    srv->drained = true;
    if (srv->on_drained)
        srv->on_drained(srv);
}

static void on_conn_closed(uv_handle_t *h)
{
    urb_conn_t *c = h->data;
    urb_server_t *srv = c->srv;
    urb_linebuf_free(&c->in);
    urb_buf_free(&c->out);
    urb_buf_free(&c->writing);
    free(c);
    if (srv->draining && srv->nconns == 0)
        server_drained(srv);
}

static void conn_close(urb_conn_t *c)
{
    if (c->closing)
        return;
    c->closing = true;
    urb_server_t *srv = c->srv;
    /* Requests still on a worker free themselves when it is done. */
    for (urb_req_t *req = c->head, *next; req; req = next) {
        next = req->next;
        req->conn = NULL;
        if (!req->running)
            req_free(req);
    }
    c->head = c->tail = NULL;
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    srv->nconns--;
    uv_close(&c->h.handle, on_conn_closed);
}

void urb_conn_quit(urb_conn_t *c)
{
    c->quit = true;
    conn_read(c, false);
}

static void on_connection(uv_stream_t *listener, int status)
{
    urb_server_t *srv = listener->data;
    if (status < 0) {
        urb_warn("accept: %s", uv_strerror(status));
        return;
    }
    urb_conn_t *c = calloc(1, sizeof *c);
    if (!c) {
        urb_error("accept: out of memory");
        return;
    }
    c->srv = srv;
    c->is_unix = listener == (uv_stream_t *)&srv->pipe;
    if (c->is_unix)
        uv_pipe_init(srv->loop, &c->h.pipe, 0);
    else
        uv_tcp_init(srv->loop, &c->h.tcp);
    c->h.handle.data = c;
    urb_linebuf_init(&c->in, srv->cfg->max_line);
    c->prev = NULL;
    c->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = c;
    srv->conns = c;
    srv->nconns++;
    if (uv_accept(listener, &c->h.stream) < 0) {
        conn_close(c);
        return;
    }
    srv->connections_total++;
    c->last_active_ms = uv_now(srv->loop);
    if (!c->is_unix)
        uv_tcp_nodelay(&c->h.tcp, 1);
    if (srv->nconns > srv->cfg->max_connections) {
        static const char busy[] = "ERR busy too many connections\n";
        uv_buf_t b = uv_buf_init((char *)busy, sizeof busy - 1);
        uv_try_write(&c->h.stream, &b, 1);
        conn_close(c);
        return;
    }
    conn_read(c, true);
}

/* ---- Server ------------------------------------------------------------- */

static void on_idle_sweep(uv_timer_t *t)
{
    urb_server_t *srv = t->data;
    uint64_t now = uv_now(srv->loop);
    uint64_t limit = (uint64_t)srv->cfg->idle_timeout_s * 1000;
    for (urb_conn_t *c = srv->conns, *next; c; c = next) {
        next = c->next;
        if (!c->head && !c->write_busy && now - c->last_active_ms >= limit) {
            urb_debug("closing idle connection");
            conn_close(c);
        }
    }
}

int urb_tcp_listen(uv_loop_t *loop, uv_tcp_t *tcp, const char *hostport,
                   uv_connection_cb on_connection)
{
    uv_tcp_init(loop, tcp);
    char host[256];
    const char *colon = strrchr(hostport, ':');
    if (!colon || (size_t)(colon - hostport) >= sizeof host) {
        urb_error("an address wants HOST:PORT, not \"%s\"", hostport);
        return -1;
    }
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535) {
        urb_error("bad port in \"%s\"", hostport);
        return -1;
    }
    char *h = host;
    if (h[0] == '[' && h[strlen(h) - 1] == ']') { /* [::1] */
        h[strlen(h) - 1] = '\0';
        h++;
    }
    struct sockaddr_storage addr;
    int rc = strchr(h, ':')
                 ? uv_ip6_addr(h, (int)port, (struct sockaddr_in6 *)&addr)
                 : uv_ip4_addr(h, (int)port, (struct sockaddr_in *)&addr);
    if (rc == 0)
        rc = uv_tcp_bind(tcp, (struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)tcp, 511, on_connection);
    if (rc < 0) {
        urb_error("cannot listen on %s: %s", hostport, uv_strerror(rc));
        return -1;
    }
    urb_info("listening on %s", hostport);
    return 0;
}

static int listen_tcp(urb_server_t *srv, const char *hostport)
{
    srv->tcp.data = srv;
    srv->has_tcp = true;
    return urb_tcp_listen(srv->loop, &srv->tcp, hostport, on_connection);
}

static int listen_unix(urb_server_t *srv, const char *path)
{
    uv_pipe_init(srv->loop, &srv->pipe, 0);
    srv->pipe.data = srv;
    srv->has_pipe = true;
    /* A socket file left by a daemon that died is replaced; a live one
     * answers a connect and is kept. */
    unlink(path);
    int rc = uv_pipe_bind(&srv->pipe, path);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&srv->pipe, 511, on_connection);
    if (rc < 0) {
        urb_error("cannot listen on %s: %s", path, uv_strerror(rc));
        return -1;
    }
    urb_info("listening on %s", path);
    return 0;
}

int urb_server_start(urb_server_t *srv, uv_loop_t *loop,
                     const urb_config_t *cfg, urb_engine_t *engine,
                     urb_pool_t *pool)
{
    srv->loop = loop;
    srv->cfg = cfg;
    srv->engine = engine;
    srv->pool = pool;
    srv->started_ms = uv_now(loop);
    urb_request_init(&srv->request);
    if (!(srv->cache = urb_cache_new(cfg->cache_bytes))) {
        urb_error("out of memory");
        return -1;
    }
    uv_timer_init(loop, &srv->deadline_timer);
    srv->deadline_timer.data = srv;
    uv_timer_init(loop, &srv->idle_timer);
    srv->idle_timer.data = srv;
    if (cfg->idle_timeout_s)
        uv_timer_start(&srv->idle_timer, on_idle_sweep, 1000, 1000);
    if (cfg->listen && listen_tcp(srv, cfg->listen) < 0)
        return -1;
    if (cfg->socket && listen_unix(srv, cfg->socket) < 0)
        return -1;
    return 0;
}

void urb_server_drain(urb_server_t *srv)
{
    if (srv->draining)
        return;
    srv->draining = true;
    if (srv->has_tcp)
        uv_close((uv_handle_t *)&srv->tcp, NULL);
    if (srv->has_pipe) {
        uv_close((uv_handle_t *)&srv->pipe, NULL);
        unlink(srv->cfg->socket);
    }
    srv->has_tcp = srv->has_pipe = false;
    uv_close((uv_handle_t *)&srv->idle_timer, NULL);
    for (urb_conn_t *c = srv->conns, *next; c; c = next) {
        next = c->next;
        conn_read(c, false);
        conn_process(c);
    }
    if (srv->nconns == 0)
        server_drained(srv);
}

void urb_server_free(urb_server_t *srv)
{
    uv_close((uv_handle_t *)&srv->deadline_timer, NULL);
    urb_request_free(&srv->request);
    urb_buf_free(&srv->scratch);
    urb_cache_free(srv->cache);
    free(srv->admin_token);
}

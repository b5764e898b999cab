#include "commands.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "log.h"
#include "search.h"
#include "urbis/json.h"

/* ---- Option checking ----------------------------------------------------- */

/* Answers ERR bad_argument for an option the command does not take, or
 * one given twice that may not be; true when all are known. `names` is
 * NULL-terminated; `repeatable` names the one option that may repeat. */
static bool check_options(urb_req_t *req, const urb_request_t *rq,
                          const char *const *names, const char *repeatable)
{
    unsigned seen = 0;
    for (size_t i = 0; i < rq->n_options; i++) {
        urb_str_t name = rq->options[i].name;
        int k = -1;
        for (int n = 0; names && names[n]; n++)
            if (strlen(names[n]) == name.n && memcmp(names[n], name.p, name.n) == 0)
                k = n;
        if (k < 0) {
            urb_req_err(req, URB_ERR_BAD_ARGUMENT, "unknown option %.*s",
                        (int)name.n, name.p);
            return false;
        }
        if ((seen & (1u << k)) && !(repeatable && strcmp(names[k], repeatable) == 0)) {
            urb_req_err(req, URB_ERR_BAD_ARGUMENT, "option %s given twice",
                        names[k]);
            return false;
        }
        seen |= 1u << k;
    }
    return true;
}

static bool opt_is(const urb_option_t *o, const char *name)
{
    return o->name.n == strlen(name) && memcmp(o->name.p, name, o->name.n) == 0;
}

/* ---- Commands answered on the loop thread -------------------------------- */

/* Starts an OK reply's JSON in the connection's scratch buffer. */
#define REPLY_BEGIN(srv, j)                                                    \
    urb_json_t j;                                                              \
    (srv)->scratch.len = 0;                                                    \
    urb_json_init(&j, &(srv)->scratch);                                        \
    urb_json_obj_begin(&j)

static void reply_end(urb_req_t *req, urb_json_t *j)
{
    urb_server_t *srv = req->srv;
    urb_json_obj_end(j);
    if (urb_json_finish(j) < 0)
        urb_req_err(req, URB_ERR_INTERNAL, "out of memory");
    else
        urb_req_ok(req, srv->scratch.data, srv->scratch.len);
}

static void cmd_ping(urb_conn_t *c, urb_req_t *req, const urb_request_t *rq)
{
    (void)c, (void)rq;
    static const char pong[] = "{\"pong\":true}";
    urb_req_ok(req, pong, sizeof pong - 1);
}

static void cmd_hello(urb_conn_t *c, urb_req_t *req, const urb_request_t *rq)
{
    (void)c, (void)rq;
    REPLY_BEGIN(req->srv, j);
    urb_json_key(&j, "server");
    urb_json_str(&j, "urbisd", 6);
    urb_json_key(&j, "version");
    urb_json_str(&j, URBIS_VERSION, strlen(URBIS_VERSION));
    urb_json_key(&j, "protocol");
    urb_json_uint(&j, 1);
    urb_json_key(&j, "documents");
    urb_json_uint(&j, atomic_load(&req->srv->engine->documents));
    reply_end(req, &j);
}

static void cmd_stats(urb_conn_t *c, urb_req_t *req, const urb_request_t *rq)
{
    (void)c, (void)rq;
    urb_server_t *srv = req->srv;
    urb_engine_t *e = srv->engine;
    REPLY_BEGIN(srv, j);
    urb_json_key(&j, "documents");
    urb_json_uint(&j, atomic_load(&e->documents));
    urb_json_key(&j, "generation");
    urb_json_str(&j, e->gen, strlen(e->gen));
    urb_json_key(&j, "uptime_s");
    urb_json_uint(&j, (uv_now(srv->loop) - srv->started_ms) / 1000);
    urb_json_key(&j, "connections");
    urb_json_uint(&j, srv->nconns);
    urb_json_key(&j, "connections_total");
    urb_json_uint(&j, srv->connections_total);
    urb_json_key(&j, "requests");
    urb_json_uint(&j, srv->requests);
    urb_json_key(&j, "errors");
    urb_json_uint(&j, srv->errors);
    urb_json_key(&j, "queued");
    urb_json_uint(&j, urb_pool_pending(srv->pool));
    urb_json_key(&j, "latency_us");
    urb_json_obj_begin(&j);
    static const struct {
        const char *name;
        double q;
    } qs[] = {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        urb_json_key(&j, qs[i].name);
        urb_json_uint(&j, urb_hist_quantile(&srv->latency, qs[i].q));
    }
    urb_json_obj_end(&j);
    urb_cache_stats_t cs;
    urb_cache_stats(srv->cache, &cs);
    urb_json_key(&j, "cache");
    urb_json_obj_begin(&j);
    urb_json_key(&j, "hits");
    urb_json_uint(&j, cs.hits);
    urb_json_key(&j, "misses");
    urb_json_uint(&j, cs.misses);
    urb_json_key(&j, "entries");
    urb_json_uint(&j, cs.entries);
    urb_json_key(&j, "bytes");
    urb_json_uint(&j, cs.bytes);
    urb_json_key(&j, "max_bytes");
    urb_json_uint(&j, cs.max_bytes);
    urb_json_obj_end(&j);
    reply_end(req, &j);
}

static void cmd_reload(urb_conn_t *c, urb_req_t *req, const urb_request_t *rq)
{
    (void)c, (void)rq;
    urb_engine_t *e = req->srv->engine;
    if (urb_engine_check(e) < 0) {
        urb_req_err(req, URB_ERR_UNAVAILABLE,
                    "the newest index does not open; still serving %s", e->gen);
        return;
    }
    REPLY_BEGIN(req->srv, j);
    urb_json_key(&j, "generation");
    urb_json_str(&j, e->gen, strlen(e->gen));
    urb_json_key(&j, "documents");
    urb_json_uint(&j, atomic_load(&e->documents));
    reply_end(req, &j);
}

/* Compares in time that depends on the length of b only. */
static bool equal_const_time(const char *a, size_t an, const char *b, size_t bn)
{
    unsigned char diff = an != bn;
    for (size_t i = 0; i < bn; i++)
        diff |= (unsigned char)(a[i < an ? i : 0] ^ b[i]);
    return diff == 0 && an > 0;
}

static void cmd_auth(urb_conn_t *c, urb_req_t *req, const urb_request_t *rq)
{
    const char *token = req->srv->admin_token;
    if (!token || !equal_const_time(rq->text.p, rq->text.n, token, strlen(token))) {
        urb_req_err(req, URB_ERR_FORBIDDEN, "wrong token");
        return;
    }
    c->admin = true;
    static const char ok[] = "{\"admin\":true}";
    urb_req_ok(req, ok, sizeof ok - 1);
}

static void cmd_quit(urb_conn_t *c, urb_req_t *req, const urb_request_t *rq)
{
    (void)rq;
    static const char bye[] = "{\"bye\":true}";
    urb_req_ok(req, bye, sizeof bye - 1);
    urb_conn_quit(c);
}

static void cmd_help(urb_conn_t *c, urb_req_t *req, const urb_request_t *rq)
{
    (void)c, (void)rq;
    REPLY_BEGIN(req->srv, j);
    urb_json_key(&j, "protocol");
    urb_json_uint(&j, 1);
    urb_json_key(&j, "commands");
    urb_json_arr_begin(&j);
    for (const urb_command_t *cmd = urb_commands; cmd->name; cmd++)
        urb_json_str(&j, cmd->usage, strlen(cmd->usage));
    urb_json_arr_end(&j);
    reply_end(req, &j);
}

/* ---- Commands run on workers --------------------------------------------- */

/* Keeps a copy of the request's text in the command's arguments and hands
 * the request to a worker. */
static void submit_with_text(urb_req_t *req, urb_str_t text, char **out,
                             size_t *out_len)
{
    if (!(*out = urb_strndup(text.p, text.n))) {
        urb_req_err(req, URB_ERR_INTERNAL, "out of memory");
        return;
    }
    *out_len = text.n;
    urb_req_submit(req);
}

static void free_search(void *p)
{
    urb_search_args_clear(p);
    free(p);
}

static void run_search(urb_req_t *req, void *worker)
{
    req->failed = !urb_search_run(worker, req->args, &req->result);
}

static void cmd_search(urb_conn_t *c, urb_req_t *req, const urb_request_t *rq)
{
    (void)c;
    static const char *const names[] = {"limit", "offset", "lang", "filter",
                                        "facets", "op", "sort", "snippets",
                                        "xl", NULL};
    if (!check_options(req, rq, names, "filter"))
        return;
    urb_search_args_t *a = calloc(1, sizeof *a);
    urb_arg_err_t e;
    if (!a) {
        urb_req_err(req, URB_ERR_INTERNAL, "out of memory");
        return;
    }
    req->args = a;
    if (!urb_search_args_parse(rq, a, &e)) {
        urb_req_err(req, e.code, "%s", e.msg);
        return;
    }
    urb_req_submit(req);
}

static void free_suggest(void *p)
{
    urb_suggest_args_t *a = p;
    free(a->text);
    free(a);
}

static void run_suggest(urb_req_t *req, void *worker)
{
    req->failed = !urb_suggest_run(worker, req->args, &req->result);
}

static void cmd_suggest(urb_conn_t *c, urb_req_t *req, const urb_request_t *rq)
{
    (void)c;
    static const char *const names[] = {"limit", "lang", NULL};
    if (!check_options(req, rq, names, NULL))
        return;
    urb_suggest_args_t *a = calloc(1, sizeof *a);
    if (!a) {
        urb_req_err(req, URB_ERR_INTERNAL, "out of memory");
        return;
    }
    req->args = a;
    a->limit = 8;
    for (size_t i = 0; i < rq->n_options; i++) {
        const urb_option_t *o = &rq->options[i];
        urb_arg_err_t e;
        bool ok = opt_is(o, "limit") ? urb_arg_uint(o, 1, 50, &a->limit, &e)
                                     : urb_arg_lang(o, a->lang, &e);
        if (!ok) {
            urb_req_err(req, e.code, "%s", e.msg);
            return;
        }
    }
    if (rq->text.n == 0) {
        urb_req_err(req, URB_ERR_SYNTAX, "SUGGEST wants text to complete");
        return;
    }
    submit_with_text(req, rq->text, &a->text, &a->text_len);
}

static void free_get(void *p)
{
    urb_get_args_t *a = p;
    free(a->id);
    free(a);
}

static void run_get(urb_req_t *req, void *worker)
{
    req->failed = !urb_get_run(worker, req->args, &req->result);
}

static void cmd_get(urb_conn_t *c, urb_req_t *req, const urb_request_t *rq)
{
    (void)c;
    if (!check_options(req, rq, NULL, NULL))
        return;
    if (rq->text.n == 0) {
        urb_req_err(req, URB_ERR_SYNTAX, "GET wants an id");
        return;
    }
    urb_get_args_t *a = calloc(1, sizeof *a);
    if (!a) {
        urb_req_err(req, URB_ERR_INTERNAL, "out of memory");
        return;
    }
    req->args = a;
    submit_with_text(req, rq->text, &a->id, &a->id_len);
}

/* DEBUG SLEEP ms: holds a worker, to test timeouts, draining and
 * backpressure deterministically. Only with --debug-commands. */
static void run_debug(urb_req_t *req, void *worker)
{
    (void)worker;
    unsigned ms = *(unsigned *)req->args;
    usleep(ms * 1000u);
    req->result.len = 0;
    char json[64];
    snprintf(json, sizeof json, "OK {\"slept_ms\":%u}\n", ms);
    req->failed = urb_buf_append(&req->result, json, strlen(json)) < 0;
}

static void cmd_debug(urb_conn_t *c, urb_req_t *req, const urb_request_t *rq)
{
    (void)c;
    if (!req->srv->cfg->debug_commands) {
        urb_req_err(req, URB_ERR_UNKNOWN_COMMAND, "unknown command DEBUG");
        return;
    }
    const char *sp = memchr(rq->text.p, ' ', rq->text.n);
    urb_str_t sub = {rq->text.p, sp ? (size_t)(sp - rq->text.p) : rq->text.n};
    urb_str_t arg = {sp ? sp + 1 : "", sp ? rq->text.n - sub.n - 1 : 0};
    uint64_t ms;
    if (!urb_str_ieq(sub, "sleep") ||
        urb_proto_parse_uint(arg, 0, 60000, &ms) < 0) {
        urb_req_err(req, URB_ERR_SYNTAX, "DEBUG SLEEP ms");
        return;
    }
    unsigned *a = malloc(sizeof *a);
    if (!a) {
        urb_req_err(req, URB_ERR_INTERNAL, "out of memory");
        return;
    }
    *a = (unsigned)ms;
    req->args = a;
    urb_req_submit(req);
}

/* ---- The table ----------------------------------------------------------- */

const urb_command_t urb_commands[] = {
    {.name = "PING", .usage = "PING", .handle = cmd_ping},
    {.name = "HELLO", .usage = "HELLO", .handle = cmd_hello},
    {.name = "SEARCH",
     .usage = "SEARCH [limit=N] [offset=N] [lang=xx|auto] [filter=field:value]... "
              "[facets=f,...] [op=and|or] [sort=relevance|year|-year|index] "
              "[snippets=0|1] [xl=0|1] [--] query",
     .handle = cmd_search, .run = run_search, .free_args = free_search,
     .cached = true},
    {.name = "SUGGEST", .usage = "SUGGEST [limit=N] [lang=xx] text",
     .handle = cmd_suggest, .run = run_suggest, .free_args = free_suggest,
     .cached = true},
    {.name = "GET", .usage = "GET id", .handle = cmd_get, .run = run_get,
     .free_args = free_get, .cached = true},
    {.name = "STATS", .usage = "STATS", .handle = cmd_stats},
    {.name = "RELOAD", .usage = "RELOAD", .admin = true, .handle = cmd_reload},
    {.name = "AUTH", .usage = "AUTH token", .handle = cmd_auth},
    {.name = "QUIT", .usage = "QUIT", .handle = cmd_quit},
    {.name = "HELP", .usage = "HELP", .handle = cmd_help},
    {.name = "DEBUG", .usage = "DEBUG SLEEP ms (with --debug-commands)",
     .admin = true, .handle = cmd_debug, .run = run_debug, .free_args = free},
    {.name = NULL},
};

/* Answers req from the reply cache; on a miss, leaves it the key its
 * reply is stored under when a worker has answered. */
static bool from_cache(urb_req_t *req, const urb_request_t *rq)
{
    urb_server_t *srv = req->srv;
    if (!srv->cfg->cache_bytes)
        return false;
    if (urb_cache_key(rq, &req->cache_key) < 0) {
        req->cache_key.len = 0;
        return false;
    }
    unsigned gen = atomic_load(&srv->engine->generation);
    uint64_t took_us = (uv_hrtime() - req->start_ns) / 1000;
    if (urb_cache_get(srv->cache, gen, &req->cache_key, took_us, &srv->scratch)) {
        urb_req_ok(req, srv->scratch.data, srv->scratch.len);
        return true;
    }
    req->cache_gen = gen;
    return false;
}

void urb_command_dispatch(urb_conn_t *c, urb_req_t *req, const urb_request_t *rq)
{
    const urb_command_t *cmd = urb_commands;
    while (cmd->name && !urb_str_ieq(rq->verb, cmd->name))
        cmd++;
    if (!cmd->name) {
        urb_req_err(req, URB_ERR_UNKNOWN_COMMAND, "unknown command %.*s",
                    (int)(rq->verb.n > 64 ? 64 : rq->verb.n), rq->verb.p);
        return;
    }
    req->cmd = cmd;
    if (cmd->admin && (!c || (!c->is_unix && !c->admin))) {
        urb_req_err(req, URB_ERR_FORBIDDEN,
                    "%s needs the Unix socket or AUTH first", cmd->name);
        return;
    }
    /* Commands without options must not be given some. */
    if (!cmd->run && cmd->handle != cmd_auth && rq->n_options &&
        !check_options(req, rq, NULL, NULL))
        return;
    if (cmd->cached && from_cache(req, rq))
        return;
    cmd->handle(c, req, rq);
}

#include "http.h"

#include <errno.h>
#include <http_parser.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "urbis/json.h"
#include "web/assets.h"

/* Requests a connection may have waiting before its reads pause, and the
 * most header bytes one request may carry. */
#define MAX_PIPELINED 32
#define MAX_HEADER_BYTES 16384
#define HEADER_VALUE_MAX 512
#define ADDR_BUCKETS 1024

typedef struct hconn hconn_t;
typedef struct hreq hreq_t;

/* A token bucket (rate limit) for one key or one client address. */
typedef struct bucket {
    double tokens;
    uint64_t last_ms;
} bucket_t;

typedef struct site_key {
    char *key, *site;
    bucket_t bucket;
} site_key_t;

typedef struct addr_bucket {
    char addr[48];
    bucket_t bucket;
} addr_bucket_t;

struct urb_http {
    urb_server_t *srv;
    const urb_http_config_t *cfg;
    uv_tcp_t tcp;
    uv_timer_t sweep;
    bool draining;
    hconn_t *conns;
    unsigned nconns;
    site_key_t *keys; /* NULL: the endpoint is open */
    size_t n_keys;
    addr_bucket_t addrs[ADDR_BUCKETS]; /* without keys, per address */
    urb_request_t rq; /* the protocol request being dispatched */
    urb_buf_t line;   /* and its line */
};

/* One HTTP request and, once done, its whole response. Responses leave a
 * connection in request order. */
struct hreq {
    hconn_t *conn; /* NULL once its connection is gone */
    hreq_t *next;
    urb_req_t *req; /* while a worker answers it */
    urb_buf_t resp;
    uv_write_t wreq;
    bool done, head, keep_alive;
    bool http10;       /* an HTTP/1.0 client wants keep-alive said */
    bool vary;         /* the reply depends on Origin (CORS is on) */
    const char *cache; /* Cache-Control of a 200 */
    char etag[24];     /* "" when none */
    char origin[HEADER_VALUE_MAX]; /* Access-Control-Allow-Origin, or "" */
};

struct hconn {
    uv_tcp_t tcp;
    urb_http_t *h;
    http_parser parser;
    urb_buf_t in; /* read but not yet parsed: in.data[pos..len) */
    size_t pos;
    hreq_t *head, *tail;
    unsigned waiting;
    uint64_t last_active_ms;
    bool reading, closing, eof,
        stop; /* stop: answer what is queued, then close */
    char addr[48];
    /* The request being parsed. */
    urb_buf_t url;
    size_t header_bytes, body_bytes;
    int header; /* which header's value is arriving */
    bool in_value;
    char origin[HEADER_VALUE_MAX], key[HEADER_VALUE_MAX], inm[HEADER_VALUE_MAX];
    char hname[33]; /* the header name arriving, cut at 32 bytes */
    size_t hname_len;
    int fail; /* a status to answer instead (0: none) */
    hconn_t *prev, *next;
};

enum { H_OTHER, H_ORIGIN, H_KEY, H_INM };

static void conn_close(hconn_t *c);
static void conn_flush(hconn_t *c);
static void conn_process(hconn_t *c);

/* ---- Small helpers ------------------------------------------------------- */


static bool str_ieq(const char *a, size_t an, const char *b)
{
    return urb_str_ieq((urb_str_t){a, an}, b);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) into out (and '+' to a space when `plus`).
 * -1 on a bad escape, a NUL, CR or LF (which no protocol line can carry),
 * or OOM. */
static int url_decode(const char *s, size_t n, bool plus, urb_buf_t *out)
{
    out->len = 0;
    if (urb_buf_reserve(out, n + 1) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
            int lo = hi >= 0 ? hexval(s[i + 2]) : -1;
            if (lo < 0)
                return -1;
            ch = (char)(hi * 16 + lo);
            i += 2;
        } else if (ch == '+' && plus) {
            ch = ' ';
        }
        if (ch == '\0' || ch == '\r' || ch == '\n')
            return -1;
        out->data[out->len++] = ch;
    }
    out->data[out->len] = '\0';
    return 0;
}

static bool consume_token(bucket_t *b, const urb_http_config_t *cfg,
                          uint64_t now)
{
    if (b->last_ms == 0)
        b->tokens = cfg->burst;
    else
        b->tokens = fmin(cfg->burst, b->tokens + (double)(now - b->last_ms) *
                                                     cfg->rate / 1000);
    b->last_ms = now;
    if (b->tokens < 1)
        return false;
    b->tokens -= 1;
    return true;
}

/* ---- Responses ----------------------------------------------------------- */

static const char *status_text(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Error";
    }
}

static int errcode_status(urb_errcode_t code)
{
    switch (code) {
    case URB_ERR_SYNTAX:
    case URB_ERR_BAD_ARGUMENT:
    case URB_ERR_BAD_UTF8:
        return 400;
    case URB_ERR_UNKNOWN_COMMAND:
    case URB_ERR_NOT_FOUND:
        return 404;
    case URB_ERR_TOO_LONG:
        return 414;
    case URB_ERR_FORBIDDEN:
        return 403;
    case URB_ERR_BUSY:
    case URB_ERR_UNAVAILABLE:
        return 503;
    case URB_ERR_TIMEOUT:
        return 504;
    default:
        return 500;
    }
}

/* Writes the status line and headers; `extra` is more header lines. */
static int resp_head(hreq_t *r, int status, const char *type, size_t len,
                     const char *extra)
{
    char head[2048];
    int n = snprintf(
        head, sizeof head,
        "HTTP/1.1 %d %s\r\n"
        "Content-Length: %zu\r\n"
        "%s%s%s"
        "X-Content-Type-Options: nosniff\r\n"
        "%s%s%s"
        "%s%s%s"
        "%s"
        "%s"
        "%s"
        "\r\n",
        status, status_text(status), len, type ? "Content-Type: " : "",
        type ? type : "", type ? "\r\n" : "",
        r->origin[0] ? "Access-Control-Allow-Origin: " : "", r->origin,
        r->origin[0] ? "\r\nAccess-Control-Expose-Headers: ETag\r\n" : "",
        r->vary ? "Vary: Origin\r\n" : "",
        (status == 200 || status == 304) && r->etag[0] ? "ETag: " : "",
        (status == 200 || status == 304) ? r->etag : "",
        (status == 200 || status == 304) && r->etag[0] ? "\r\n" : "",
        extra ? extra : "",
        !r->keep_alive ? "Connection: close\r\n"
        : r->http10    ? "Connection: keep-alive\r\n"
                       : "");
    if (n < 0 || (size_t)n >= sizeof head)
        return -1;
    r->resp.len = 0;
    return urb_buf_append(&r->resp, head, (size_t)n);
}

static void respond(hreq_t *r, int status, const char *type, const char *body,
                    size_t len, const char *extra)
{
    char cache[128] = "";
    if (status == 200 || status == 304)
        snprintf(cache, sizeof cache, "Cache-Control: %s\r\n",
                 r->cache ? r->cache : "no-cache");
    else
        snprintf(cache, sizeof cache, "Cache-Control: no-store\r\n");
    char hdrs[512];
    snprintf(hdrs, sizeof hdrs, "%s%s", cache, extra ? extra : "");
    if (resp_head(r, status, type, len, hdrs) < 0 ||
        (!r->head && status != 304 && status != 204 &&
         urb_buf_append(&r->resp, body, len) < 0))
        r->keep_alive = false, r->resp.len = 0;
    r->done = true;
}

/* An error as JSON: {"error":"<code>","message":"..."}. */
static void respond_err(hreq_t *r, int status, const char *code,
                        const char *msg, size_t msg_len, const char *extra)
{
    urb_buf_t body = {0};
    urb_json_t j;
    urb_json_init(&j, &body);
    urb_json_obj_begin(&j);
    urb_json_key(&j, "error");
    urb_json_str(&j, code, strlen(code));
    urb_json_key(&j, "message");
    urb_json_str(&j, msg, msg_len);
    urb_json_obj_end(&j);
    if (urb_json_finish(&j) < 0)
        body.len = 0;
    respond(r, status, "application/json; charset=utf-8", body.data, body.len,
            extra);
    urb_buf_free(&body);
}

static void respond_errf(hreq_t *r, int status, const char *code,
                         const char *msg)
{
    respond_err(r, status, code, msg, strlen(msg), NULL);
}

/* Turns a protocol reply line into the response. */
static void respond_reply(hreq_t *r, const urb_buf_t *reply)
{
    const char *s = reply->data;
    size_t n = reply->len;
    if (n && s[n - 1] == '\n')
        n--;
    if (n >= 3 && memcmp(s, "OK ", 3) == 0) {
        respond(r, 200, "application/json; charset=utf-8", s + 3, n - 3, NULL);
        return;
    }
    /* ERR <code> <message> */
    const char *code = n > 4 ? s + 4 : "internal";
    const char *sp = n > 4 ? memchr(code, ' ', n - 4) : NULL;
    size_t code_len = sp ? (size_t)(sp - code) : n > 4 ? n - 4 : 8;
    urb_errcode_t ec = URB_ERR_INTERNAL;
    for (int k = 1; k < URB_ERR_LAST; k++)
        if (str_ieq(code, code_len, urb_errcode_name((urb_errcode_t)k)))
            ec = (urb_errcode_t)k;
    const char *msg = sp ? sp + 1 : "";
    respond_err(r, errcode_status(ec), urb_errcode_name(ec), msg,
                sp ? (size_t)(s + n - msg) : 0,
                ec == URB_ERR_BUSY || ec == URB_ERR_UNAVAILABLE
                    ? "Retry-After: 1\r\n"
                    : NULL);
}

/* ---- Routing ------------------------------------------------------------- */

static void on_reply(urb_req_t *req)
{
    hreq_t *r = req->owner;
    respond_reply(r, &req->reply);
    urb_req_release(req);
    r->req = NULL;
    if (r->conn)
        conn_flush(r->conn);
}

/* Appends ` name="value"`, escaping as the protocol's quoted values. */
static int line_option(urb_buf_t *line, const char *name, size_t name_len,
                       const urb_buf_t *value)
{
    if (urb_buf_append(line, " ", 1) < 0 ||
        urb_buf_append(line, name, name_len) < 0 ||
        urb_buf_append(line, "=\"", 2) < 0)
        return -1;
    for (size_t i = 0; i < value->len; i++) {
        char ch = value->data[i];
        if ((ch == '"' || ch == '\\') && urb_buf_append(line, "\\", 1) < 0)
            return -1;
        if (urb_buf_append(line, &ch, 1) < 0)
            return -1;
    }
    return urb_buf_append(line, "\"", 1);
}

static bool option_name_ok(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
            return false;
    return true;
}

/* Builds VERB [name="value" ...] -- text in h->line from the query
 * string; `text` is the decoded id for /doc. *key gets the key param.
 * Returns 0, or an HTTP status with *why set. */
static int build_line(urb_http_t *h, const char *verb, const char *query,
                      size_t qn, const urb_buf_t *text, urb_buf_t *key,
                      const char **why)
{
    urb_buf_t name = {0}, value = {0}, q = {0};
    int status = 0;
    bool have_q = false;
    h->line.len = 0;
    if (urb_buf_append(&h->line, verb, strlen(verb)) < 0)
        status = 500;
    const char *p = query, *end = query + qn;
    while (!status && p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        const char *nend = eq ? eq : stop;
        if (stop == p) {
            p = stop + 1;
            continue;
        }
        if (url_decode(p, (size_t)(nend - p), true, &name) < 0 ||
            url_decode(eq ? eq + 1 : stop, eq ? (size_t)(stop - eq - 1) : 0,
                       true, &value) < 0) {
            status = 400, *why = "bad percent-escape or control character";
            break;
        }
        if (strcmp(name.data, "key") == 0) {
            key->len = 0;
            if (urb_buf_append(key, value.data, value.len + 1) < 0)
                status = 500;
        } else if (strcmp(name.data, "q") == 0 && !text) {
            if (have_q)
                status = 400, *why = "q given twice";
            else if (urb_buf_append(&q, value.data, value.len) < 0)
                status = 500;
            have_q = true;
        } else if (!option_name_ok(name.data, name.len)) {
            status = 400, *why = "unknown parameter";
        } else if (line_option(&h->line, name.data, name.len, &value) < 0) {
            status = 500;
        }
        p = stop + 1;
    }
    const urb_buf_t *t = text ? text : &q;
    if (!status &&
        (urb_buf_append(&h->line, " -- ", 4) < 0 ||
         urb_buf_append(&h->line, t->data ? t->data : "", t->len) < 0))
        status = 500;
    if (status == 500)
        *why = "out of memory";
    if (!status && h->line.len > h->srv->cfg->max_line)
        status = 414, *why = "request longer than the line protocol's limit";
    urb_buf_free(&name);
    urb_buf_free(&value);
    urb_buf_free(&q);
    return status;
}

/* The key's site, or a status (401 no key, 403 unknown) with *why. */
static int check_key(urb_http_t *h, const char *key, bucket_t **bucket,
                     const char *addr, const char **why)
{
    if (!h->keys) {
        addr_bucket_t *a =
            &h->addrs[urb_fnv1a(URB_FNV_SEED, addr, strlen(addr)) % ADDR_BUCKETS];
        if (strcmp(a->addr, addr) != 0) { /* a new address takes the slot */
            snprintf(a->addr, sizeof a->addr, "%s", addr);
            a->bucket = (bucket_t){0};
        }
        *bucket = &a->bucket;
        return 0;
    }
    if (!key[0]) {
        *why = "this endpoint wants a key (?key= or X-Urbis-Key)";
        return 401;
    }
    /* A site's key is in its pages for anyone to read: it names the site
     * for the rate limit and can be revoked, it guards no secret. */
    for (size_t i = 0; i < h->n_keys; i++)
        if (strcmp(key, h->keys[i].key) == 0) {
            *bucket = &h->keys[i].bucket;
            return 0;
        }
    *why = "unknown key";
    return 403;
}

static const char *allowed_origin(urb_http_t *h, const char *origin)
{
    if (!origin[0])
        return NULL;
    for (size_t i = 0; i < h->cfg->n_origins; i++)
        if (strcmp(h->cfg->origins[i], "*") == 0 ||
            strcmp(h->cfg->origins[i], origin) == 0)
            return origin;
    return NULL;
}

static void serve_static(hreq_t *r, const char *path, size_t n, const char *inm)
{
    for (const urb_web_asset_t *a = urb_web_assets; a->path; a++) {
        if (!str_ieq(path, n, a->path) || strlen(a->path) != n)
            continue;
        snprintf(r->etag, sizeof r->etag, "\"%016llx\"",
                 (unsigned long long)urb_fnv1a(URB_FNV_SEED, a->data, a->len));
        r->cache = "public, max-age=300";
        if (strcmp(inm, r->etag) == 0)
            respond(r, 304, NULL, "", 0, NULL);
        else
            respond(r, 200, a->type, (const char *)a->data, a->len, NULL);
        return;
    }
    respond_errf(r, 404, "not_found", "no such path");
}

/* Answers the request just parsed on c, at once or through a worker. */
static void route(hconn_t *c, hreq_t *r)
{
    urb_http_t *h = c->h;
    http_parser *p = &c->parser;
    const char *url = c->url.data ? c->url.data : "";
    size_t un = c->url.len;
    const char *qmark = memchr(url, '?', un);
    size_t pn = qmark ? (size_t)(qmark - url) : un;
    const char *query = qmark ? qmark + 1 : url + un;
    size_t qn = qmark ? un - pn - 1 : 0;
    const char *fragment = memchr(query, '#', qn);
    if (fragment)
        qn = (size_t)(fragment - query);

    const char *origin = allowed_origin(h, c->origin);
    snprintf(r->origin, sizeof r->origin, "%s", origin ? origin : "");
    r->vary = h->cfg->n_origins > 0;
    r->http10 = p->http_major == 1 && p->http_minor == 0;
    if (c->fail) {
        r->keep_alive = false;
        respond_errf(r, c->fail, c->fail == 400 ? "bad_request" : "too_long",
                     c->fail == 414
                         ? "URL longer than the line protocol's limit"
                     : c->fail == 413 ? "request body too large"
                     : c->fail == 431 ? "request headers too large"
                                      : "malformed request");
        return;
    }
    if (p->method == HTTP_OPTIONS) {
        /* A CORS preflight: only an allowed origin may go on. */
        if (!origin) {
            respond_errf(r, 403, "forbidden", "origin not allowed");
            return;
        }
        respond(r, 204, NULL, "", 0,
                "Access-Control-Allow-Methods: GET, HEAD, OPTIONS\r\n"
                "Access-Control-Allow-Headers: X-Urbis-Key\r\n"
                "Access-Control-Max-Age: 86400\r\n");
        return;
    }
    if (p->method != HTTP_GET && p->method != HTTP_HEAD) {
        static const char msg[] = "only GET, HEAD and OPTIONS";
        respond_err(r, 405, "bad_request", msg, sizeof msg - 1,
                    "Allow: GET, HEAD, OPTIONS\r\n");
        return;
    }
    r->head = p->method == HTTP_HEAD;

    const char *verb = NULL;
    urb_buf_t id = {0}, key = {0};
    bool is_doc = pn > 5 && memcmp(url, "/doc/", 5) == 0;
    if (pn == 7 && memcmp(url, "/search", 7) == 0)
        verb = "SEARCH", r->cache = "public, max-age=30";
    else if (pn == 8 && memcmp(url, "/suggest", 8) == 0)
        verb = "SUGGEST", r->cache = "public, max-age=30";
    else if (is_doc)
        verb = "GET", r->cache = "public, max-age=300";
    if (!verb) {
        serve_static(r, url, pn, c->inm);
        return;
    }
    const char *why = "";
    int status = 0;
    if (is_doc && url_decode(url + 5, pn - 5, false, &id) < 0)
        status = 400, why = "bad percent-escape in the id";
    if (!status)
        status =
            build_line(h, verb, query, qn, is_doc ? &id : NULL, &key, &why);
    bucket_t *bucket = NULL;
    const char *k = key.len ? key.data : c->key;
    if (!status)
        status = check_key(h, k, &bucket, c->addr, &why);
    urb_buf_free(&id);
    urb_buf_free(&key);
    if (status) {
        respond_errf(r, status,
                     status == 401   ? "unauthorized"
                     : status == 403 ? "forbidden"
                     : status == 414 ? "too_long"
                     : status == 500 ? "internal"
                                     : "bad_request",
                     why);
        return;
    }
    if (!consume_token(bucket, h->cfg, uv_now(h->srv->loop))) {
        char retry[64];
        snprintf(retry, sizeof retry, "Retry-After: %d\r\n",
                 (int)ceil(1 / h->cfg->rate));
        static const char msg[] = "request rate over this key's limit";
        respond_err(r, 429, "rate_limited", msg, sizeof msg - 1, retry);
        return;
    }
    /* A reply depends on the request and on the index generation only. */
    /* The loop thread writes gen, so it reads it without the lock. */
    const char *gen = h->srv->engine->gen;
    uint64_t tag = urb_fnv1a(URB_FNV_SEED, gen, strlen(gen));
    tag = urb_fnv1a(tag, h->line.data, h->line.len);
    snprintf(r->etag, sizeof r->etag, "\"%016llx\"", (unsigned long long)tag);
    if (strcmp(c->inm, r->etag) == 0) {
        respond(r, 304, NULL, "", 0, NULL);
        return;
    }
    int parsed = urb_request_parse(&h->rq, h->line.data, h->line.len);
    if (parsed < 0) {
        urb_errcode_t ec = h->rq.err;
        respond_err(r, errcode_status(ec), urb_errcode_name(ec), h->rq.errmsg,
                    strlen(h->rq.errmsg), NULL);
        return;
    }
    urb_req_t *req = urb_req_new_detached(h->srv, on_reply, r);
    if (!req) {
        respond_errf(r, 500, "internal", "out of memory");
        return;
    }
    urb_command_dispatch(NULL, req, &h->rq);
    if (req->done) {
        respond_reply(r, &req->reply);
        urb_req_release(req);
    } else {
        r->req = req;
    }
}

/* ---- Parsing ------------------------------------------------------------- */

static int on_message_begin(http_parser *p)
{
    hconn_t *c = p->data;
    c->url.len = 0;
    c->header_bytes = c->body_bytes = 0;
    c->header = H_OTHER;
    c->in_value = false;
    c->origin[0] = c->key[0] = c->inm[0] = '\0';
    c->fail = 0;
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t n)
{
    hconn_t *c = p->data;
    if (c->url.len + n > c->h->srv->cfg->max_line) {
        c->fail = 414;
        return -1;
    }
    return urb_buf_append(&c->url, at, n) < 0 ? -1 : 0;
}

static int count_header(hconn_t *c, size_t n)
{
    c->header_bytes += n;
    if (c->header_bytes > MAX_HEADER_BYTES) {
        c->fail = 431;
        return -1;
    }
    return 0;
}

/* Header names may arrive in pieces; only names up to 32 bytes matter. */
static int on_header_field(http_parser *p, const char *at, size_t n)
{
    hconn_t *c = p->data;
    if (c->in_value || c->header_bytes == 0)
        c->hname_len = 0;
    c->in_value = false;
    size_t room = sizeof c->hname - 1 - c->hname_len;
    size_t take = n < room ? n : room;
    memcpy(c->hname + c->hname_len, at, take);
    c->hname_len += take;
    const char *name = c->hname;
    size_t len = c->hname_len;
    c->header = str_ieq(name, len, "origin")          ? H_ORIGIN
                : str_ieq(name, len, "x-urbis-key")   ? H_KEY
                : str_ieq(name, len, "if-none-match") ? H_INM
                                                      : H_OTHER;
    return count_header(c, n);
}

static int on_header_value(http_parser *p, const char *at, size_t n)
{
    hconn_t *c = p->data;
    char *dst = c->header == H_ORIGIN ? c->origin
                : c->header == H_KEY  ? c->key
                : c->header == H_INM  ? c->inm
                                      : NULL;
    if (!c->in_value && dst)
        dst[0] = '\0';
    c->in_value = true;
    if (dst) {
        size_t have = strlen(dst);
        size_t take =
            n < HEADER_VALUE_MAX - 1 - have ? n : HEADER_VALUE_MAX - 1 - have;
        memcpy(dst + have, at, take);
        dst[have + take] = '\0';
    }
    return count_header(c, n);
}

static int on_body(http_parser *p, const char *at, size_t n)
{
    hconn_t *c = p->data;
    (void)at;
    /* No route takes a body; a small one is read past, a big one refused. */
    c->body_bytes += n;
    if (c->body_bytes > c->h->srv->cfg->max_line) {
        c->fail = 413;
        return -1;
    }
    return 0;
}

/* Queues a response for the request just parsed (or for the error that
 * ended the stream) and routes it. -1 on OOM. */
static int conn_answer(hconn_t *c, bool keep_alive)
{
    hreq_t *r = calloc(1, sizeof *r);
    if (!r)
        return -1;
    r->conn = c;
    r->keep_alive = keep_alive && !c->h->draining;
    if (c->tail)
        c->tail->next = r;
    else
        c->head = r;
    c->tail = r;
    c->waiting++;
    route(c, r);
    if (!r->keep_alive)
        c->stop = true;
    return 0;
}

static int on_message_complete(http_parser *p)
{
    hconn_t *c = p->data;
    if (conn_answer(c, http_should_keep_alive(p)) < 0)
        return -1;
    /* Pipelined requests past the limit wait in the input buffer. */
    if (c->stop || c->waiting >= MAX_PIPELINED)
        http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

/* ---- Connections --------------------------------------------------------- */

static bool conn_congested(const hconn_t *c)
{
    return c->waiting >= MAX_PIPELINED ||
           c->tcp.write_queue_size >= c->h->srv->cfg->max_output;
}

static void on_alloc(uv_handle_t *hd, size_t hint, uv_buf_t *buf)
{
    hconn_t *c = hd->data;
    (void)hint;
    /* The parser keeps no pointer into the input (url and headers are
     * copied as they come), so what it took can go. */
    if (c->pos) {
        memmove(c->in.data, c->in.data + c->pos, c->in.len - c->pos);
        c->in.len -= c->pos;
        c->pos = 0;
    }
    if (urb_buf_reserve(&c->in, 64 * 1024) < 0) {
        *buf = uv_buf_init(NULL, 0);
        return;
    }
    *buf = uv_buf_init(c->in.data + c->in.len, 64 * 1024);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    hconn_t *c = s->data;
    (void)buf;
    if (nread > 0) {
        c->in.len += (size_t)nread;
        c->last_active_ms = uv_now(c->h->srv->loop);
        conn_process(c);
        return;
    }
    if (nread == 0)
        return;
    uv_read_stop(s);
    c->reading = false;
    c->eof = true;
    conn_process(c);
}

static void conn_read(hconn_t *c, bool on)
{
    if (on == c->reading || c->eof || c->closing || (on && c->stop))
        return;
    if (on)
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    else
        uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = on;
}

/* Parses what was read, as far as the pipelining limit allows. */
static void conn_process(hconn_t *c)
{
    while (!c->closing && !c->stop && !conn_congested(c) &&
           c->pos < c->in.len) {
        if (HTTP_PARSER_ERRNO(&c->parser) == HPE_PAUSED)
            http_parser_pause(&c->parser, 0);
        size_t n = http_parser_execute(&c->parser, &settings,
                                       c->in.data + c->pos, c->in.len - c->pos);
        c->pos += n;
        enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
        if (e == HPE_PAUSED)
            continue;
        /* No protocol switch here: after its reply the connection ends. */
        if (e == HPE_OK && (c->parser.upgrade || n == 0)) {
            c->stop = true;
            break;
        }
        if (e != HPE_OK) {
            /* The stream is lost: answer the error, then close. */
            urb_debug("http: %s", http_errno_description(e));
            if (!c->fail)
                c->fail = 400;
            if (conn_answer(c, false) < 0) {
                conn_close(c);
                return;
            }
        }
    }
    if (c->closing)
        return;
    if (c->eof && !c->stop && c->pos == c->in.len)
        c->stop = true;
    conn_read(c, !c->stop && !conn_congested(c));
    conn_flush(c);
}

static void on_write(uv_write_t *w, int status)
{
    hreq_t *r = w->data;
    hconn_t *c = r->conn;
    urb_buf_free(&r->resp);
    free(r);
    if (status < 0 || !c || c->closing)
        return;
    if (!conn_congested(c))
        conn_process(c);
}

static void conn_flush(hconn_t *c)
{
    while (c->head && c->head->done && !c->closing) {
        hreq_t *r = c->head;
        c->head = r->next;
        if (!c->head)
            c->tail = NULL;
        c->waiting--;
        r->wreq.data = r;
        uv_buf_t b = uv_buf_init(r->resp.data, (unsigned)r->resp.len);
        if (uv_write(&r->wreq, (uv_stream_t *)&c->tcp, &b, 1, on_write) < 0) {
            urb_buf_free(&r->resp);
            free(r);
            conn_close(c);
            return;
        }
    }
    if (!c->closing && !c->head && (c->stop || (c->eof && c->pos == c->in.len)))
        conn_close(c); /* libuv writes what is queued before it closes */
}

static void on_conn_closed(uv_handle_t *hd)
{
    hconn_t *c = hd->data;
    urb_buf_free(&c->in);
    urb_buf_free(&c->url);
    free(c);
}

static void on_shutdown(uv_shutdown_t *s, int status)
{
    hconn_t *c = s->data;
    (void)status;
    free(s);
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void conn_close(hconn_t *c)
{
    if (c->closing)
        return;
    c->closing = true;
    urb_http_t *h = c->h;
    for (hreq_t *r = c->head, *next; r; r = next) {
        next = r->next;
        if (r->req)
            urb_req_release(r->req);
        urb_buf_free(&r->resp);
        free(r);
    }
    c->head = c->tail = NULL;
    if (c->prev)
        c->prev->next = c->next;
    else
        h->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    h->nconns--;
    /* Let the queued responses go out before the socket closes. */
    uv_shutdown_t *s = malloc(sizeof *s);
    if (c->reading)
        uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = false;
    if (s) {
        s->data = c;
        if (uv_shutdown(s, (uv_stream_t *)&c->tcp, on_shutdown) == 0)
            return;
        free(s);
    }
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void on_connection(uv_stream_t *listener, int status)
{
    urb_http_t *h = listener->data;
    if (status < 0) {
        urb_warn("http accept: %s", uv_strerror(status));
        return;
    }
    hconn_t *c = calloc(1, sizeof *c);
    if (!c) {
        urb_error("http accept: out of memory");
        return;
    }
    c->h = h;
    uv_tcp_init(h->srv->loop, &c->tcp);
    c->tcp.data = c;
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    c->next = h->conns;
    if (h->conns)
        h->conns->prev = c;
    h->conns = c;
    h->nconns++;
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) < 0) {
        conn_close(c);
        return;
    }
    struct sockaddr_storage sa;
    int len = sizeof sa;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&sa, &len) == 0) {
        if (sa.ss_family == AF_INET6)
            uv_ip6_name((struct sockaddr_in6 *)&sa, c->addr, sizeof c->addr);
        else
            uv_ip4_name((struct sockaddr_in *)&sa, c->addr, sizeof c->addr);
    }
    c->last_active_ms = uv_now(h->srv->loop);
    uv_tcp_nodelay(&c->tcp, 1);
    if (h->nconns > h->srv->cfg->max_connections) {
        static const char busy[] =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
            "Retry-After: 1\r\nConnection: close\r\n\r\n";
        uv_buf_t b = uv_buf_init((char *)busy, sizeof busy - 1);
        uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
        conn_close(c);
        return;
    }
    conn_read(c, true);
}

/* ---- The front end ------------------------------------------------------- */

static void on_sweep(uv_timer_t *t)
{
    urb_http_t *h = t->data;
    uint64_t now = uv_now(h->srv->loop);
    uint64_t limit = (uint64_t)h->srv->cfg->idle_timeout_s * 1000;
    for (hconn_t *c = h->conns, *next; c; c = next) {
        next = c->next;
        if (!c->head && now - c->last_active_ms >= limit)
            conn_close(c);
    }
}

int urb_http_parse_rate(const char *s, urb_http_config_t *cfg)
{
    char *end;
    errno = 0;
    double rate = strtod(s, &end), burst = 2 * rate;
    if (*end == ':')
        burst = strtod(end + 1, &end);
    if (errno || *end || end == s || !(rate > 0) || !(burst >= 1) ||
        rate > 1e6 || burst > 1e6)
        return -1;
    cfg->rate = rate;
    cfg->burst = burst;
    return 0;
}

static int read_keys(urb_http_t *h, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        urb_error("cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char line[1024];
    int rc = 0;
    unsigned lineno = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char *save, *key = strtok_r(line, " \t\r\n", &save);
        if (!key || key[0] == '#')
            continue;
        char *site = strtok_r(NULL, " \t\r\n", &save);
        if (!site || strlen(key) < 8) {
            urb_error("%s:%u: want KEY SITE with a key of 8 characters or more",
                      path, lineno);
            rc = -1;
            break;
        }
        site_key_t *k = realloc(h->keys, (h->n_keys + 1) * sizeof *k);
        if (!k) {
            rc = -1;
            break;
        }
        h->keys = k;
        k[h->n_keys] = (site_key_t){.key = strdup(key), .site = strdup(site)};
        if (!k[h->n_keys].key || !k[h->n_keys].site)
            rc = -1;
        h->n_keys++;
    }
    fclose(f);
    if (rc == 0 && h->n_keys == 0) {
        urb_error("%s holds no key", path);
        rc = -1;
    }
    return rc;
}

static void on_failed_close(uv_handle_t *hd)
{
    urb_http_free(hd->data);
}

urb_http_t *urb_http_start(urb_server_t *srv, const urb_http_config_t *cfg)
{
    urb_http_t *h = calloc(1, sizeof *h);
    if (!h) {
        urb_error("http: out of memory");
        return NULL;
    }
    h->srv = srv;
    h->cfg = cfg;
    urb_request_init(&h->rq);
    if (cfg->keys_file && read_keys(h, cfg->keys_file) < 0) {
        urb_http_free(h);
        return NULL;
    }
    h->tcp.data = h;
    if (urb_tcp_listen(srv->loop, &h->tcp, cfg->listen, on_connection) < 0) {
        uv_close((uv_handle_t *)&h->tcp, on_failed_close);
        return NULL;
    }
    uv_timer_init(srv->loop, &h->sweep);
    h->sweep.data = h;
    if (srv->cfg->idle_timeout_s)
        uv_timer_start(&h->sweep, on_sweep, 1000, 1000);
    urb_info("HTTP on %s%s", cfg->listen, h->keys ? " (keys required)" : "");
    return h;
}

void urb_http_drain(urb_http_t *h)
{
    if (!h || h->draining)
        return;
    h->draining = true;
    uv_close((uv_handle_t *)&h->tcp, NULL);
    uv_close((uv_handle_t *)&h->sweep, NULL);
    for (hconn_t *c = h->conns, *next; c; c = next) {
        next = c->next;
        c->stop = true;
        conn_read(c, false);
        for (hreq_t *r = c->head; r; r = r->next)
            r->keep_alive = false;
        conn_flush(c);
    }
}

void urb_http_free(urb_http_t *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n_keys; i++) {
        free(h->keys[i].key);
        free(h->keys[i].site);
    }
    free(h->keys);
    urb_request_free(&h->rq);
    urb_buf_free(&h->line);
    free(h);
}

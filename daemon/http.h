/* http.h — urbisd's HTTP/JSON front end (docs/http.md): GET /search,
 * /suggest and /doc/{id} for partner sites' search boxes, plus the widget's
 * static files. It runs on the same libuv loop as the line protocol and
 * answers through the same command table and workers: each HTTP request
 * becomes the equivalent protocol request, and the JSON after OK becomes
 * the body (an ERR becomes a status code). Requests are parsed by
 * http_parser (node's, C, callback-driven like libuv). */
#ifndef URBISD_HTTP_H
#define URBISD_HTTP_H

#include <stddef.h>

#include "server.h"

#define URB_HTTP_MAX_ORIGINS 64

typedef struct urb_http_config {
    const char *listen;    /* HOST:PORT */
    const char *keys_file; /* "KEY SITE" per line; NULL: no keys needed */
    const char *origins[URB_HTTP_MAX_ORIGINS]; /* CORS allow-list; "*": any */
    size_t n_origins;
    double rate;  /* requests per second per key (or address) */
    double burst; /* the bucket's size */
} urb_http_config_t;

typedef struct urb_http urb_http_t;

/* Parses "RATE" or "RATE:BURST" for --http-rate (burst defaults to twice
 * the rate). 0, or -1 when malformed. */
int urb_http_parse_rate(const char *s, urb_http_config_t *cfg);

/* Reads the key file and starts listening; `srv` (started) and `cfg`
 * must outlive the front end. NULL after logging why. */
urb_http_t *urb_http_start(urb_server_t *srv, const urb_http_config_t *cfg);
/* Stops accepting and closes each connection once its responses are
 * written; the handles are closed on later loop turns. */
void urb_http_drain(urb_http_t *h);
/* Frees what is left once the loop has stopped. Accepts NULL. */
void urb_http_free(urb_http_t *h);

#endif

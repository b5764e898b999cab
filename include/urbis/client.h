/* client.h — one blocking connection to urbisd for the command-line tools
 * (urbis, urbis-relevance): connect by TCP or Unix socket, send a request
 * line, read its reply line.
 *
 * Memory: urb_client_connect() returns a client the caller frees with
 * urb_client_free(); c->line belongs to the client and is overwritten by
 * the next request. */
#ifndef URBIS_CLIENT_H
#define URBIS_CLIENT_H

#include <stddef.h>

#include "urbis/text.h"

typedef struct urb_client {
    int fd;
    urb_buf_t line;       /* the last reply, NUL-ended, without CR LF */
    size_t len;           /* bytes read past the last reply */
    char buf[1 << 16];
} urb_client_t;

/* sock (a Unix socket path) when not NULL, else host ("HOST:PORT").
 * A reply that takes longer than timeout_s fails the request (0: wait
 * forever). NULL with errno set when it cannot connect. */
urb_client_t *urb_client_connect(const char *host, const char *sock, int timeout_s);

/* Sends req (n bytes, without the LF: it is added) and reads the reply
 * into c->line. 0, or -1 when the connection failed: errno is 0 when the
 * server closed it, ETIMEDOUT when no reply came in time. */
int urb_client_request(urb_client_t *c, const char *req, size_t n);

void urb_client_free(urb_client_t *c);

#endif

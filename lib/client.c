/* client.c — a blocking line-protocol connection (see urbis/client.h). */
#include "urbis/client.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

static int connect_unix(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(a.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        fd = -1;
    }
    return fd;
}

static int connect_tcp(const char *host)
{
    char name[256];
    const char *colon = strrchr(host, ':');
    if (!colon || (size_t)(colon - host) >= sizeof name) {
        errno = EINVAL;
        return -1;
    }
    memcpy(name, host, (size_t)(colon - host));
    name[colon - host] = '\0';
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
    if (getaddrinfo(name, colon + 1, &hints, &res) != 0) {
        errno = EHOSTUNREACH;
        return -1;
    }
    int fd = -1, e = ECONNREFUSED;
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            e = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        errno = e;
        return -1;
    }
    /* A request goes out in two writes (its text, then the newline);
     * with Nagle's algorithm the second waits for the server's delayed
     * ACK, 40 ms a request. */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

urb_client_t *urb_client_connect(const char *host, const char *sock, int timeout_s)
{
    int fd = sock ? connect_unix(sock) : connect_tcp(host);
    if (fd < 0)
        return NULL;
    if (timeout_s > 0) {
        struct timeval tv = {.tv_sec = timeout_s};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    urb_client_t *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    c->fd = fd;
    return c;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int urb_client_request(urb_client_t *c, const char *req, size_t n)
{
    if (send_all(c->fd, req, n) < 0 || send_all(c->fd, "\n", 1) < 0)
        return -1;
    c->line.len = 0;
    for (;;) {
        char *lf = memchr(c->buf, '\n', c->len);
        size_t take = lf ? (size_t)(lf - c->buf) : c->len;
        if (urb_buf_append(&c->line, c->buf, take) < 0)
            return -1;
        if (lf) {
            memmove(c->buf, lf + 1, c->len - take - 1);
            c->len -= take + 1;
            if (c->line.len && c->line.data[c->line.len - 1] == '\r')
                c->line.data[--c->line.len] = '\0';
            return 0;
        }
        c->len = 0;
        ssize_t r = recv(c->fd, c->buf, sizeof c->buf, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = 0;
            else if (errno == EAGAIN || errno == EWOULDBLOCK)
                errno = ETIMEDOUT;
            return -1;
        }
        c->len = (size_t)r;
    }
}

void urb_client_free(urb_client_t *c)
{
    if (!c)
        return;
    close(c->fd);
    urb_buf_free(&c->line);
    free(c);
}

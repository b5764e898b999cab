/* harness.h — black-box daemon tests: a real index built by the real
 * urbis-index, a real urbisd on a free loopback port and a Unix socket,
 * and raw protocol over real sockets. The binaries come from the
 * environment (URBIS_INDEXER, URBISD, URBIS_FIXTURES), set by CMake. */
#ifndef URBIS_TEST_HARNESS_H
#define URBIS_TEST_HARNESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct urb_daemon {
    pid_t pid;
    int port;
    char *dir;        /* the test's temporary folder */
    char index[512];  /* dir/index */
    char sock[108];   /* dir/s (Unix socket paths are short) */
    char log[512];    /* dir/urbisd.log: the daemon's stderr */
} urb_daemon_t;

/* A loopback TCP port that was free a moment ago. */
int urb_free_port(void);
/* Runs urbis-index CORPUS INDEX --quiet [extra]; returns its exit code. */
int urb_run_indexer(const char *corpus, const char *index, const char *extra);
/* Copies the fixture corpus to dir/corpus, indexes it, starts urbisd with
 * `extra` options (space-separated, may be NULL) and waits until it
 * answers. Returns 0, or -1 after printing why. */
int urb_daemon_start(urb_daemon_t *d, const char *extra);
/* Starts urbisd on d's existing index without waiting; for start-up
 * failure tests. Returns the pid. */
pid_t urb_daemon_spawn(urb_daemon_t *d, const char *extra);
/* Waits until the urbisd spawned as d->pid answers on both listeners.
 * 0, or -1 after printing why. */
int urb_daemon_wait(urb_daemon_t *d);
/* Sends `sig` (0: none, just wait) and waits; returns the exit status (-1: killed by signal,
 * -2: did not exit within 10 s) and removes the folder. */
int urb_daemon_stop(urb_daemon_t *d, int sig);
/* True when the daemon's log contains `text`. */
bool urb_daemon_logged(const urb_daemon_t *d, const char *text);

typedef struct urb_client {
    int fd;
    char buf[1 << 16];
    size_t len;
} urb_client_t;

/* Connects; NULL on failure. Close with urb_client_close. The calls
 * below take a NULL client as a failed one (send -1, line NULL, closed
 * false), so a case whose daemon died fails its checks instead of
 * crashing the test program and leaving daemons behind. */
urb_client_t *urb_client_tcp(int port);
urb_client_t *urb_client_unix(const char *path);
void urb_client_close(urb_client_t *c);
/* Writes all of s[0..n); 0 or -1. */
int urb_client_send(urb_client_t *c, const char *s, size_t n);
/* The next reply line without its LF, malloc'd; NULL on EOF, error or
 * after timeout_ms. */
char *urb_client_line(urb_client_t *c, int timeout_ms);
/* Sends line + LF, returns the reply (malloc'd) or NULL. */
char *urb_client_ask(urb_client_t *c, const char *line);
/* True when the peer closed within timeout_ms (reads and drops data). */
bool urb_client_closed(urb_client_t *c, int timeout_ms);

/* The JSON object of an "OK {...}" reply, or NULL (printing why) when the
 * reply is not OK or not one valid JSON object. */
json_t *urb_ok(const char *reply);
/* True when reply is "ERR <code> <message>" with a message. */
bool urb_is_err(const char *reply, const char *code);

#endif

#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

static const char *env(const char *name)
{
    const char *v = getenv(name);
    if (!v) {
        fprintf(stderr, "%s is not set (run the tests with ctest)\n", name);
        exit(2);
    }
    return v;
}

/* Runs argv; returns its exit code, or -1. */
static int run(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Splits a copy of `extra` on spaces into argv[*n...]. */
static char *split_args(const char *extra, char **argv, int *n, int max)
{
    if (!extra)
        return NULL;
    char *copy = strdup(extra);
    for (char *tok = strtok(copy, " "); tok && *n < max - 1; tok = strtok(NULL, " "))
        argv[(*n)++] = tok;
    return copy;
}

/* Under valgrind (tools/valgrind sets URBIS_VALGRIND) everything runs
 * some twenty times slower: waits for the daemon stretch to match. */
static int slowdown(void)
{
    return getenv("URBIS_VALGRIND") ? 20 : 1;
}

int urb_run_indexer(const char *corpus, const char *index, const char *extra)
{
    char *argv[32] = {(char *)env("URBIS_INDEXER"), (char *)corpus,
                      (char *)index, "--quiet"};
    int n = 4;
    char *copy = split_args(extra, argv, &n, 32);
    argv[n] = NULL;
    int rc = run(argv);
    free(copy);
    return rc;
}

int urb_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        perror("free_port");
        exit(2);
    }
    close(fd);
    return ntohs(a.sin_port);
}

pid_t urb_daemon_spawn(urb_daemon_t *d, const char *extra)
{
    char listen[64];
    d->port = urb_free_port();
    snprintf(listen, sizeof listen, "127.0.0.1:%d", d->port);
    char *argv[48] = {(char *)env("URBISD"), "--index", d->index, "--listen",
                      listen, "--socket", d->sock, "--threads", "2"};
    int n = 9;
    /* Queries take valgrind's time too; a test's own timeout comes
     * after and wins. */
    if (slowdown() > 1) {
        argv[n++] = "--query-timeout-ms";
        argv[n++] = "60000";
    }
    char *copy = split_args(extra, argv, &n, 48);
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 2);
            close(fd);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    free(copy);
    return pid;
}

int urb_daemon_start(urb_daemon_t *d, const char *extra)
{
    memset(d, 0, sizeof *d);
    d->dir = urb_test_tmpdir();
    snprintf(d->index, sizeof d->index, "%s/index", d->dir);
    snprintf(d->sock, sizeof d->sock, "%s/s", d->dir);
    snprintf(d->log, sizeof d->log, "%s/urbisd.log", d->dir);
    char corpus[600], cmd[1400];
    snprintf(corpus, sizeof corpus, "%s/corpus", d->dir);
    snprintf(cmd, sizeof cmd, "cp -r '%s' '%s'", env("URBIS_FIXTURES"), corpus);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot copy the fixture corpus\n");
        return -1;
    }
    int rc = urb_run_indexer(corpus, d->index, NULL);
    if (rc != 0) {
        fprintf(stderr, "urbis-index exited %d\n", rc);
        return -1;
    }
    d->pid = urb_daemon_spawn(d, extra);
    return urb_daemon_wait(d);
}

int urb_daemon_wait(urb_daemon_t *d)
{
    for (int i = 0; i < 200 * slowdown(); i++) {
        /* Both listeners: the Unix socket is bound just after the TCP one,
         * and on a loaded machine a test can start in between. */
        urb_client_t *c = urb_client_tcp(d->port);
        urb_client_t *u = c ? urb_client_unix(d->sock) : NULL;
        urb_client_close(c);
        if (u) {
            urb_client_close(u);
            return 0;
        }
        if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
            fprintf(stderr, "urbisd exited at start; see %s\n", d->log);
            d->pid = 0;
            return -1;
        }
        usleep(25000);
    }
    fprintf(stderr, "urbisd did not answer within 5 s\n");
    return -1;
}

int urb_daemon_stop(urb_daemon_t *d, int sig)
{
    int result = -2;
    if (d->pid > 0) {
        kill(d->pid, sig);
        for (int i = 0; i < 1000 * slowdown(); i++) {
            int st;
            if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
                result = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
                break;
            }
            usleep(10000);
        }
        if (result == -2) {
            kill(d->pid, SIGKILL);
            waitpid(d->pid, NULL, 0);
        }
    }
    if (result != 0 && d->log[0]) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "tail -20 '%s' >&2", d->log);
        if (system(cmd) != 0)
            fprintf(stderr, "(no daemon log)\n");
    }
    if (d->dir) {
        urb_test_rmtree(d->dir);
        free(d->dir);
    }
    memset(d, 0, sizeof *d);
    return result;
}

bool urb_daemon_logged(const urb_daemon_t *d, const char *text)
{
    FILE *f = fopen(d->log, "r");
    if (!f)
        return false;
    char line[2048];
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, text) != NULL;
    fclose(f);
    return found;
}

static urb_client_t *client_connect(int domain, const struct sockaddr *a,
                                    socklen_t len)
{
    int fd = socket(domain, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return NULL;
    if (connect(fd, a, len) < 0) {
        close(fd);
        return NULL;
    }
    urb_client_t *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return NULL;
    }
    c->fd = fd;
    return c;
}

urb_client_t *urb_client_tcp(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return client_connect(AF_INET, (struct sockaddr *)&a, sizeof a);
}

urb_client_t *urb_client_unix(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    return client_connect(AF_UNIX, (struct sockaddr *)&a, sizeof a);
}

void urb_client_close(urb_client_t *c)
{
    if (c) {
        close(c->fd);
        free(c);
    }
}

int urb_client_send(urb_client_t *c, const char *s, size_t n)
{
    if (!c)
        return -1;
    while (n > 0) {
        ssize_t w = send(c->fd, s, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

char *urb_client_line(urb_client_t *c, int timeout_ms)
{
    if (!c)
        return NULL;
    long deadline = now_ms() + timeout_ms;
    for (;;) {
        char *lf = memchr(c->buf, '\n', c->len);
        if (lf) {
            size_t n = (size_t)(lf - c->buf);
            char *line = malloc(n + 1);
            memcpy(line, c->buf, n);
            line[n] = '\0';
            memmove(c->buf, lf + 1, c->len - n - 1);
            c->len -= n + 1;
            return line;
        }
        long left = deadline - now_ms();
        if (left <= 0 || c->len == sizeof c->buf)
            return NULL;
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        if (poll(&p, 1, (int)left) <= 0)
            return NULL;
        ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
        if (r <= 0)
            return NULL;
        c->len += (size_t)r;
    }
}

char *urb_client_ask(urb_client_t *c, const char *line)
{
    size_t n = strlen(line);
    char *msg = malloc(n + 1);
    memcpy(msg, line, n);
    msg[n] = '\n';
    int rc = urb_client_send(c, msg, n + 1);
    free(msg);
    return rc < 0 ? NULL : urb_client_line(c, 10000);
}

bool urb_client_closed(urb_client_t *c, int timeout_ms)
{
    if (!c)
        return false;
    long deadline = now_ms() + timeout_ms;
    char junk[4096];
    for (;;) {
        long left = deadline - now_ms();
        if (left <= 0)
            return false;
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        if (poll(&p, 1, (int)left) <= 0)
            return false;
        ssize_t r = recv(c->fd, junk, sizeof junk, 0);
        if (r <= 0)
            return true;
    }
}

json_t *urb_ok(const char *reply)
{
    if (!reply || strncmp(reply, "OK {", 4) != 0) {
        fprintf(stderr, "not an OK reply: %s\n", reply ? reply : "(none)");
        return NULL;
    }
    json_error_t err;
    json_t *j = json_loads(reply + 3, 0, &err);
    if (!j || !json_is_object(j)) {
        fprintf(stderr, "bad JSON (%s): %s\n", err.text, reply);
        json_decref(j);
        return NULL;
    }
    return j;
}

bool urb_is_err(const char *reply, const char *code)
{
    size_t n = strlen(code);
    if (!reply || strncmp(reply, "ERR ", 4) != 0 ||
        strncmp(reply + 4, code, n) != 0 || reply[4 + n] != ' ' ||
        reply[5 + n] == '\0') {
        fprintf(stderr, "want ERR %s, got: %s\n", code, reply ? reply : "(none)");
        return false;
    }
    return true;
}

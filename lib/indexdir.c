/* indexdir.c — reading the index folder's `current` pointer and opening
 * the generation it names, shard map or database. */
#include "urbis/indexdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STUB_KIND "auto "

/* A generation name is a plain file name: no path, no dot files, nothing a
 * stub line could not carry. */
static int valid_name(const char *s, size_t n)
{
    if (n == 0 || n >= URB_GEN_NAME_MAX || s[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

int urb_indexdir_current(const char *index, char gen[URB_GEN_NAME_MAX])
{
    char *path = urb_indexdir_gen_path(index, URB_INDEXDIR_CURRENT);
    if (!path)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (fd < 0)
        return -1;
    /* Room for the longest valid pointer plus one byte, to see it is not
     * longer than that. */
    char buf[sizeof STUB_KIND + URB_GEN_NAME_MAX + 2];
    ssize_t n;
    do
        n = read(fd, buf, sizeof buf);
    while (n < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    if (n < 0) {
        errno = saved;
        return -1;
    }
    size_t len = (size_t)n, kl = strlen(STUB_KIND);
    if (len > 0 && buf[len - 1] == '\n')
        len--;
    if (len < kl || memcmp(buf, STUB_KIND, kl) != 0 ||
        !valid_name(buf + kl, len - kl)) {
        errno = EINVAL;
        return -1;
    }
    memcpy(gen, buf + kl, len - kl);
    gen[len - kl] = '\0';
    return 0;
}

char *urb_indexdir_gen_path(const char *index, const char *gen)
{
    size_t il = strlen(index), gl = strlen(gen);
    while (il > 1 && index[il - 1] == '/')
        il--;
    char *p = malloc(il + 1 + gl + 1);
    if (!p)
        return NULL;
    memcpy(p, index, il);
    p[il] = '/';
    memcpy(p + il + 1, gen, gl + 1);
    return p;
}

static char *fmt_msg(const char *what, const char *arg)
{
    size_t n = strlen(what) + strlen(arg) + 3;
    char *m = malloc(n);
    if (m)
        snprintf(m, n, "%s: %s", what, arg);
    return m;
}

/* "HOST:PORT" (HOST empty: this machine) into host and port; s is
 * changed. */
static int parse_hostport(char *s, const char **host, unsigned *port)
{
    char *colon = strrchr(s, ':'), *end;
    if (!colon)
        return -1;
    *colon = '\0';
    errno = 0;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (errno || *end || end == colon + 1 || p == 0 || p > 65535)
        return -1;
    *host = *s ? s : "127.0.0.1";
    *port = (unsigned)p;
    return 0;
}

/* Opens the shard of one line ("KIND ARG", changed in place); base is the
 * map's folder for relative paths. */
static urb_xstatus_t open_line(char *line, const char *base,
                               unsigned timeout_ms, urb_xdb_t **shard,
                               const char **name, char **msg)
{
    char *arg = strchr(line, ' ');
    if (!arg) {
        *msg = fmt_msg("bad shard map line", line);
        return URB_X_OPENING;
    }
    *arg++ = '\0';
    *name = arg;
    if (strcmp(line, "remote") == 0) {
        char *hp = strdup(arg);
        const char *host;
        unsigned port;
        urb_xstatus_t st = URB_X_NOMEM;
        if (hp && parse_hostport(hp, &host, &port) == 0)
            st = urb_xdb_open_remote(host, port, timeout_ms, shard, msg);
        else if (hp) {
            *msg = fmt_msg("want remote HOST:PORT", arg);
            st = URB_X_OPENING;
        }
        free(hp);
        return st;
    }
    if (strcmp(line, "auto") != 0 && strcmp(line, "glass") != 0) {
        *msg = fmt_msg("unknown shard kind", line);
        return URB_X_OPENING;
    }
    char *path = arg[0] == '/' ? strdup(arg) : urb_indexdir_gen_path(base, arg);
    if (!path)
        return URB_X_NOMEM;
    urb_xstatus_t st = urb_xdb_open(path, URB_XDB_READ, shard, msg);
    free(path);
    return st;
}

/* The map file's path when `path` is a map, else NULL (and *oom). */
static char *map_file(const char *path, bool *oom)
{
    struct stat st;
    *oom = false;
    if (stat(path, &st) < 0)
        return NULL;
    if (S_ISREG(st.st_mode)) {
        char *p = strdup(path);
        *oom = !p;
        return p;
    }
    char *stub = urb_indexdir_gen_path(path, URB_SHARDMAP_STUB);
    *oom = !stub;
    if (stub && (stat(stub, &st) < 0 || !S_ISREG(st.st_mode))) {
        free(stub);
        stub = NULL;
    }
    return stub;
}

static urb_xstatus_t open_map(FILE *f, const char *base, unsigned timeout_ms,
                              urb_shard_cb cb, void *ctx, urb_xdb_t *all,
                              char **msg)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    urb_xstatus_t st = URB_X_OK;
    while (st == URB_X_OK && (n = getline(&line, &cap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        urb_xdb_t *shard = NULL;
        const char *name = line;
        st = open_line(line, base, timeout_ms, &shard, &name, msg);
        if (st == URB_X_OK && cb && cb(ctx, name, shard) != 0) {
            st = URB_X_ERROR;
            *msg = fmt_msg("shard refused", name);
        }
        if (st == URB_X_OK && urb_xdb_add(all, shard) != URB_X_OK) {
            st = URB_X_ERROR;
            *msg = fmt_msg("cannot add shard", urb_xdb_errmsg(all));
        }
        urb_xdb_free(shard);
    }
    free(line);
    return st;
}

urb_xstatus_t urb_shardmap_open(const char *path, unsigned timeout_ms,
                                urb_shard_cb cb, void *ctx, urb_xdb_t **db,
                                bool *is_map, char **msg)
{
    *db = NULL;
    if (msg)
        *msg = NULL;
    bool oom;
    char *file = map_file(path, &oom);
    if (is_map)
        *is_map = file != NULL;
    if (oom)
        return URB_X_NOMEM;
    if (!file) {
        urb_xstatus_t st = urb_xdb_open(path, URB_XDB_READ, db, msg);
        if (st == URB_X_OK && cb && cb(ctx, path, *db) != 0) {
            urb_xdb_free(*db);
            *db = NULL;
            if (msg)
                *msg = fmt_msg("shard refused", path);
            st = URB_X_ERROR;
        }
        return st;
    }
    char *m = NULL;
    urb_xstatus_t st = URB_X_NOMEM;
    char *base = strdup(file);
    FILE *f = base ? fopen(file, "re") : NULL;
    if (base && !f) {
        m = fmt_msg(file, strerror(errno));
        st = errno == ENOENT ? URB_X_NOT_FOUND : URB_X_OPENING;
    } else if (f) {
        char *slash = strrchr(base, '/');
        if (slash)
            *slash = '\0';
        st = urb_xdb_new_empty(db);
        if (st == URB_X_OK)
            st = open_map(f, slash ? base : ".", timeout_ms, cb, ctx, *db, &m);
        fclose(f);
        if (st != URB_X_OK) {
            urb_xdb_free(*db);
            *db = NULL;
        }
    }
    if (msg)
        *msg = m;
    else
        free(m);
    free(base);
    free(file);
    return st;
}

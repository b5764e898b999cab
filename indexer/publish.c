/* publish.c — building a generation aside and switching to it. */
#include "publish.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest.h"

#define TMP_PREFIX "tmp-"
#define GEN_PREFIX "gen-"
#define CURRENT_TMP TMP_PREFIX "current"
/* Xapian's lock file: each database makes its own. */
#define XAPIAN_LOCK "flintlock"

static int fail(urb_pub_t *pub, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pub->err, sizeof pub->err, fmt, ap);
    va_end(ap);
    return -1;
}

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* A new open file description of the folder fd: a dup() would share
 * its read position, and a second listing would find nothing. */
static int reopen_dir(int fd)
{
    return openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* The number of a "gen-NNNNNN" name, or -1. */
static long gen_number(const char *name)
{
    if (!has_prefix(name, GEN_PREFIX))
        return -1;
    const char *d = name + strlen(GEN_PREFIX);
    char *end;
    if (*d < '0' || *d > '9')
        return -1;
    errno = 0;
    long n = strtol(d, &end, 10);
    return *end || errno || n < 0 || n >= 999999999 ? -1 : n;
}

static int mkdir_p(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return -1;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s)
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        if (!(*s = c))
            break;
    }
    free(p);
    return 0;
}

/* Removes name in dir fd, a file or a whole tree. */
static int remove_tree(int fd, const char *name)
{
    if (unlinkat(fd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if (errno != EISDIR && errno != EPERM)
        return -1;
    int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = sub >= 0 ? fdopendir(sub) : NULL;
    if (!d) {
        if (sub >= 0)
            close(sub);
        return -1;
    }
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
            remove_tree(sub, de->d_name) < 0)
            rc = -1;
    closedir(d);
    return unlinkat(fd, name, AT_REMOVEDIR) < 0 ? -1 : rc;
}

/* Sweeps what a dead run left and finds the highest generation number. */
static int scan_index(urb_pub_t *pub, long *max)
{
    int fd = reopen_dir(pub->dir_fd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return fail(pub, "%s: %s", pub->index, strerror(errno));
    }
    struct dirent *de;
    *max = 0;
    int rc = 0;
    while ((de = readdir(d))) {
        long n = gen_number(de->d_name);
        if (n > *max)
            *max = n;
        if (has_prefix(de->d_name, TMP_PREFIX) &&
            remove_tree(pub->dir_fd, de->d_name) < 0)
            rc = fail(pub, "%s/%s: cannot remove a dead run's folder: %s",
                      pub->index, de->d_name, strerror(errno));
    }
    closedir(d);
    return rc;
}

int urb_pub_open(urb_pub_t *pub, const char *index)
{
    memset(pub, 0, sizeof *pub);
    pub->dir_fd = pub->lock_fd = -1;
    if (!(pub->index = strdup(index)))
        return fail(pub, "out of memory");
    if (mkdir_p(index) < 0)
        return fail(pub, "%s: cannot create: %s", index, strerror(errno));
    pub->dir_fd = open(index, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (pub->dir_fd < 0)
        return fail(pub, "%s: %s", index, strerror(errno));
    pub->lock_fd = openat(pub->dir_fd, URB_INDEXDIR_LOCK,
                          O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (pub->lock_fd < 0)
        return fail(pub, "%s/%s: %s", index, URB_INDEXDIR_LOCK,
                    strerror(errno));
    if (flock(pub->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        pub->locked_out = errno == EWOULDBLOCK;
        return fail(pub, "%s/%s: %s", index, URB_INDEXDIR_LOCK,
                    pub->locked_out
                        ? "locked: another urbis-index is running on this index"
                        : strerror(errno));
    }
    long max = 0;
    if (scan_index(pub, &max) < 0)
        return -1;
    if (urb_indexdir_current(index, pub->current) < 0) {
        if (errno != ENOENT && errno != EINVAL)
            return fail(pub, "%s/%s: %s", index, URB_INDEXDIR_CURRENT,
                        strerror(errno));
        pub->current[0] = '\0';
    }
    long cur = gen_number(pub->current);
    snprintf(pub->next, sizeof pub->next, GEN_PREFIX "%06ld",
             (cur > max ? cur : max) + 1);
    return 0;
}

char *urb_pub_current_file(const urb_pub_t *pub, const char *name)
{
    char *gen = urb_indexdir_gen_path(pub->index, pub->current);
    char *p = gen ? urb_indexdir_gen_path(gen, name) : NULL;
    free(gen);
    return p;
}

/* Copies in to out by read and write. */
static int copy_rw(int in, int out)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -1 : 0;
        for (ssize_t off = 0, w; off < n; off += w)
            if ((w = write(out, buf + off, (size_t)(n - off))) < 0) {
                if (errno != EINTR)
                    return -1;
                w = 0;
            }
    }
}

/* Copies in to out: a reflink where the file system shares blocks, else
 * an in-kernel copy, else read and write. */
static int copy_fd(int in, int out)
{
    if (ioctl(out, FICLONE, in) == 0)
        return 0;
    for (;;) {
        ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)1 << 30, 0);
        if (n == 0)
            return 0;
        if (n > 0 || errno == EINTR)
            continue;
        if (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
            errno == EOPNOTSUPP)
            return copy_rw(in, out);
        return -1;
    }
}

static int copy_file(int src_dir, int dst_dir, const char *name)
{
    int in = openat(src_dir, name, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                     0644);
    int rc = out >= 0 ? copy_fd(in, out) : -1;
    /* Start writing the copy to disk now, while the run indexes: the
     * sync before publishing then waits for little (a nightly run copies
     * the whole index, which is most of what it writes). */
    if (rc == 0)
        sync_file_range(out, 0, 0, SYNC_FILE_RANGE_WRITE);
    int e = errno;
    close(in);
    if (out >= 0 && close(out) < 0 && rc == 0)
        rc = -1, e = errno;
    errno = e;
    return rc;
}

/* Calls fn on every plain file in dir fd (by name), stopping at a failure. */
static int each_file(int fd, int (*fn)(int dir, const char *name, void *arg),
                     void *arg)
{
    int dfd = reopen_dir(fd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return -1;
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d))) {
        struct stat st;
        if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, "..")))
            continue;
        if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            rc = -1;
        else if (S_ISREG(st.st_mode))
            rc = fn(fd, de->d_name, arg);
    }
    int e = errno;
    closedir(d);
    errno = e;
    return rc;
}

static int copy_one(int src, const char *name, void *arg)
{
    if (!strcmp(name, XAPIAN_LOCK) || !strcmp(name, URB_MANIFEST_NAME))
        return 0;
    return copy_file(src, *(int *)arg, name);
}

static int open_dir(int at, const char *name)
{
    return openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int urb_pub_begin(urb_pub_t *pub, bool copy)
{
    char *tmpl = urb_indexdir_gen_path(pub->index, TMP_PREFIX "XXXXXX");
    if (!tmpl)
        return fail(pub, "out of memory");
    if (!mkdtemp(tmpl)) {
        fail(pub, "%s: %s", tmpl, strerror(errno));
        free(tmpl);
        return -1;
    }
    pub->tmp = tmpl;
    /* mkdtemp makes it private; the daemon may run as another user. */
    if (chmod(tmpl, 0755) < 0)
        return fail(pub, "%s: %s", tmpl, strerror(errno));
    if (!copy || !pub->current[0])
        return 0;
    int src = open_dir(pub->dir_fd, pub->current);
    int dst = open(pub->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = src >= 0 && dst >= 0 ? each_file(src, copy_one, &dst) : -1;
    int e = errno;
    if (src >= 0)
        close(src);
    if (dst >= 0)
        close(dst);
    if (rc < 0)
        return fail(pub, "copying %s/%s to %s: %s", pub->index, pub->current,
                    pub->tmp, strerror(e));
    return 0;
}

static int sync_one(int dir, const char *name, void *arg)
{
    (void)arg;
    int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* Deletes every generation but the new and the previous one. */
static int prune(urb_pub_t *pub, const char *previous)
{
    int fd = reopen_dir(pub->dir_fd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (gen_number(de->d_name) >= 0 && strcmp(de->d_name, pub->next) &&
            strcmp(de->d_name, previous) &&
            remove_tree(pub->dir_fd, de->d_name) < 0)
            rc = fail(pub, "%s/%s: cannot remove an old generation: %s",
                      pub->index, de->d_name, strerror(errno));
    closedir(d);
    return rc;
}

int urb_pub_remove(urb_pub_t *pub, const char *name)
{
    int fd = open_dir(pub->dir_fd, strrchr(pub->tmp, '/') + 1);
    int rc = fd >= 0 ? remove_tree(fd, name) : -1;
    int e = errno;
    if (fd >= 0)
        close(fd);
    return rc < 0 ? fail(pub, "%s/%s: %s", pub->tmp, name, strerror(e)) : 0;
}

int urb_pub_commit(urb_pub_t *pub)
{
    const char *base = strrchr(pub->tmp, '/') + 1;
    int tfd = open_dir(pub->dir_fd, base);
    int rc = tfd >= 0 && each_file(tfd, sync_one, NULL) == 0 && fsync(tfd) == 0
                 ? 0 : -1;
    if (tfd >= 0)
        close(tfd);
    if (rc < 0)
        return fail(pub, "%s: cannot sync: %s", pub->tmp, strerror(errno));
    if (renameat(pub->dir_fd, base, pub->dir_fd, pub->next) < 0 ||
        fsync(pub->dir_fd) < 0)
        return fail(pub, "%s/%s: %s", pub->index, pub->next, strerror(errno));
    free(pub->tmp);
    pub->tmp = NULL;

    char line[URB_GEN_NAME_MAX + 16];
    int len = snprintf(line, sizeof line, "auto %s\n", pub->next);
    int fd = openat(pub->dir_fd, CURRENT_TMP,
                    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, line, (size_t)len) != len || fsync(fd) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return fail(pub, "%s/%s: %s", pub->index, CURRENT_TMP, strerror(e));
    }
    if (close(fd) < 0 ||
        renameat(pub->dir_fd, CURRENT_TMP, pub->dir_fd,
                 URB_INDEXDIR_CURRENT) < 0 ||
        fsync(pub->dir_fd) < 0)
        return fail(pub, "%s/%s: %s", pub->index, URB_INDEXDIR_CURRENT,
                    strerror(errno));
    char previous[URB_GEN_NAME_MAX];
    memcpy(previous, pub->current, sizeof previous);
    memcpy(pub->current, pub->next, sizeof pub->current);
    /* Published: a leftover old generation is only untidy. */
    return prune(pub, previous) < 0 ? 1 : 0;
}

void urb_pub_close(urb_pub_t *pub)
{
    if (pub->tmp && pub->dir_fd >= 0)
        remove_tree(pub->dir_fd, strrchr(pub->tmp, '/') + 1);
    free(pub->tmp);
    pub->tmp = NULL;
    if (pub->lock_fd >= 0)
        close(pub->lock_fd);
    if (pub->dir_fd >= 0)
        close(pub->dir_fd);
    pub->lock_fd = pub->dir_fd = -1;
    free(pub->index);
    pub->index = NULL;
}

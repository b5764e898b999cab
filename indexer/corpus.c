/* corpus.c — walking the corpus folder into a sorted list of files. */
#include "corpus.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "manifest.h"
#include "reader.h"
#include "urbis/indexdir.h"

urb_file_t *urb_files_push(urb_files_t *fs, char *path)
{
    if (fs->n == fs->cap) {
        size_t cap = fs->cap ? 2 * fs->cap : 64;
        urb_file_t *v = realloc(fs->v, cap * sizeof *v);
        if (!v) {
            free(path);
            return NULL;
        }
        fs->v = v;
        fs->cap = cap;
    }
    urb_file_t *f = &fs->v[fs->n++];
    memset(f, 0, sizeof *f);
    f->path = path;
    return f;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const urb_file_t *)a)->path, ((const urb_file_t *)b)->path);
}

void urb_files_sort(urb_files_t *fs)
{
    if (fs->n > 1)
        qsort(fs->v, fs->n, sizeof *fs->v, by_path);
}

urb_file_t *urb_files_find(const urb_files_t *fs, const char *path)
{
    urb_file_t key = {.path = (char *)path};
    return fs->n ? bsearch(&key, fs->v, fs->n, sizeof *fs->v, by_path) : NULL;
}

void urb_files_free(urb_files_t *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        free(fs->v[i].path);
        free(fs->v[i].id);
        free(fs->v[i].why);
    }
    free(fs->v);
    memset(fs, 0, sizeof *fs);
}

void urb_files_keep_shard(urb_files_t *fs, unsigned k, unsigned n)
{
    size_t out = 0;
    for (size_t i = 0; i < fs->n; i++) {
        urb_file_t *f = &fs->v[i];
        if (urb_hash(f->path, strlen(f->path)) % n == k) {
            fs->v[out++] = *f;
            continue;
        }
        free(f->path);
        free(f->id);
        free(f->why);
    }
    fs->n = out;
}

int urb_file_as_before(urb_file_t *f, const urb_file_t *old)
{
    if ((old->id && !(f->id = strdup(old->id))) ||
        (old->why && !(f->why = strdup(old->why))))
        return -1;
    f->hash = old->hash;
    memcpy(f->lang, old->lang, sizeof f->lang);
    f->declared = old->declared;
    f->state = old->state;
    return 0;
}

char *urb_path_join(const char *root, const char *path)
{
    /* The index folder's join is the same: root, one slash, path. */
    return urb_indexdir_gen_path(root, path);
}

/* One entry of a directory: rel is its path below the root (owned). */
static int add_entry(urb_files_t *out, int dfd, const char *name, char *rel,
                     bool *is_dir)
{
    struct stat st;
    *is_dir = false;
    int rc = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW);
    bool link = rc == 0 && S_ISLNK(st.st_mode);
    if (link)
        rc = fstatat(dfd, name, &st, 0);
    if (rc == 0 && S_ISDIR(st.st_mode)) {
        free(rel);
        *is_dir = !link;
        return 0;
    }
    const urb_reader_t *rd = urb_reader_for(rel);
    urb_file_t *f = urb_files_push(out, rel);
    if (!f)
        return -1;
    f->reader = rd;
    if (!rd) {
        f->state = URB_F_SKIPPED;
    } else if (rc < 0) {
        f->state = URB_F_FAILED;
        f->err = errno;
    } else if (!S_ISREG(st.st_mode)) {
        f->state = URB_F_FAILED;
        f->err = URB_ENOTREG;
    } else {
        f->size = (uint64_t)st.st_size;
        f->mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        f->state = f->size ? URB_F_NEW : URB_F_SKIPPED;
    }
    return 0;
}

static int walk_dir(const char *root, const char *rel, urb_files_t *out,
                    char **bad)
{
    char *full = *rel ? urb_path_join(root, rel) : strdup(root);
    if (!full)
        return -1;
    DIR *d = opendir(full);
    if (!d) {
        *bad = full;
        return -1;
    }
    int rc = 0;
    struct dirent *de;
    for (;;) {
        errno = 0;
        if (!(de = readdir(d))) {
            if (errno) {
                int e = errno;
                *bad = full;
                full = NULL;
                errno = e;
                rc = -1;
            }
            break;
        }
        if (de->d_name[0] == '.')
            continue;
        char *child = *rel ? urb_path_join(rel, de->d_name)
                           : strdup(de->d_name);
        bool is_dir;
        if (!child || add_entry(out, dirfd(d), de->d_name, child, &is_dir) < 0) {
            errno = ENOMEM;
            rc = -1;
            break;
        }
        if (is_dir) {
            char *sub = *rel ? urb_path_join(rel, de->d_name)
                             : strdup(de->d_name);
            rc = sub ? walk_dir(root, sub, out, bad) : -1;
            free(sub);
            if (rc < 0)
                break;
        }
    }
    int e = errno;
    closedir(d);
    free(full);
    errno = e;
    return rc;
}

int urb_corpus_walk(const char *root, urb_files_t *out, char **bad)
{
    *bad = NULL;
    if (walk_dir(root, "", out, bad) < 0)
        return -1;
    urb_files_sort(out);
    return 0;
}

/* manifest.c — the manifest file: a header line, then one tab-separated
 * line per file:
 *
 *   hash  size  mtime  lang|-  d|-|x  id  path  why
 *
 * d: the language was declared; x: the file failed (no id, a why).
 * Strings escape '%', tab and control bytes as %XX. */
#include "manifest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "urbis/schema.h"

#define HEADER_START "urbis-manifest "
#define HEADER HEADER_START "1 schema " URB_SCHEMA_VERSION "\n"

uint64_t urb_hash(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static int put_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f || c == '%') {
            if (fprintf(f, "%%%02X", c) < 0)
                return -1;
        } else if (putc(c, f) == EOF) {
            return -1;
        }
    }
    return 0;
}

int urb_manifest_save(const char *path, const urb_files_t *fs)
{
    FILE *f = fopen(path, "we");
    if (!f)
        return -1;
    int rc = fputs(HEADER, f) < 0 ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < fs->n; i++) {
        const urb_file_t *e = &fs->v[i];
        bool failed = e->state == URB_F_FAILED && e->why;
        if (e->state != URB_F_UNCHANGED && e->state != URB_F_DONE && !failed)
            continue;
        if (fprintf(f, "%016" PRIx64 "\t%" PRIu64 "\t%" PRId64 "\t%s\t%c\t",
                    e->hash, e->size, e->mtime,
                    e->lang[0] && !failed ? e->lang : "-",
                    failed ? 'x' : e->declared ? 'd' : '-') < 0 ||
            put_escaped(f, failed ? "" : e->id) < 0 || putc('\t', f) == EOF ||
            put_escaped(f, e->path) < 0 || putc('\t', f) == EOF ||
            put_escaped(f, failed ? e->why : "") < 0 || putc('\n', f) == EOF)
            rc = -1;
    }
    int e = errno;
    if (rc == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0))
        rc = -1, e = errno;
    if (fclose(f) != 0 && rc == 0)
        rc = -1, e = errno;
    errno = e;
    return rc;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Unescapes s[0..n) into a malloc'd string; NULL on OOM or bad escape
 * (errno says which). */
static char *unescape(const char *s, size_t n)
{
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            *o++ = s[i];
            continue;
        }
        int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
        int lo = hi >= 0 ? hexval(s[i + 2]) : -1;
        if (lo < 0 || (hi << 4 | lo) == 0) {
            free(out);
            errno = EINVAL;
            return NULL;
        }
        *o++ = (char)(hi << 4 | lo);
        i += 2;
    }
    *o = '\0';
    return out;
}

/* One line (no newline) into a new entry of fs. */
static int parse_line(char *line, urb_files_t *fs)
{
    char *field[8];
    size_t nf = 0;
    for (char *p = line; nf < 8; nf++) {
        field[nf] = p;
        char *tab = strchr(p, '\t');
        if (!tab) {
            nf++;
            break;
        }
        *tab = '\0';
        p = tab + 1;
    }
    if (nf != 8 || strchr(field[7], '\t'))
        goto bad;
    char *end;
    errno = 0;
    uint64_t hash = strtoull(field[0], &end, 16);
    if (*end || end == field[0])
        goto bad;
    uint64_t size = strtoull(field[1], &end, 10);
    if (*end || end == field[1])
        goto bad;
    int64_t mtime = strtoll(field[2], &end, 10);
    if (*end || end == field[2] || errno)
        goto bad;
    size_t ll = strlen(field[3]);
    char flag = field[4][0];
    bool failed = flag == 'x';
    if (ll == 0 || ll >= sizeof fs->v[0].lang || strlen(field[4]) != 1 ||
        !strchr("d-x", flag) || !*field[6] ||
        (failed ? !*field[7] || *field[5] : *field[7] || !*field[5]))
        goto bad;
    char *path = unescape(field[6], strlen(field[6]));
    if (!path)
        return -1;
    urb_file_t *f = urb_files_push(fs, path);
    if (!f)
        return -1;
    char **str = failed ? &f->why : &f->id;
    const char *src = failed ? field[7] : field[5];
    if (!(*str = unescape(src, strlen(src))))
        return -1;
    f->hash = hash;
    f->size = size;
    f->mtime = mtime;
    if (strcmp(field[3], "-") != 0)
        memcpy(f->lang, field[3], ll + 1);
    f->declared = flag == 'd';
    f->state = failed ? URB_F_FAILED : URB_F_UNCHANGED;
    return 0;
bad:
    errno = EINVAL;
    return -1;
}

int urb_manifest_load(const char *path, urb_files_t *fs)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    int rc = n >= 0 && strcmp(line, HEADER) == 0 ? 0 : -1;
    if (rc < 0)
        errno = ferror(f)                                         ? errno
                : n >= 0 && strncmp(line, HEADER_START,
                                    strlen(HEADER_START)) == 0 ? ESTALE
                                                               : EINVAL;
    while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
        if (n == 0 || line[n - 1] != '\n') {
            errno = EINVAL;
            rc = -1;
            break;
        }
        line[n - 1] = '\0';
        rc = parse_line(line, fs);
    }
    if (rc == 0 && ferror(f))
        rc = -1;
    int e = errno;
    free(line);
    fclose(f);
    if (rc < 0) {
        urb_files_free(fs);
        errno = e;
        return -1;
    }
    urb_files_sort(fs);
    return 0;
}

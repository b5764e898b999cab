/* lang_hunspell.c — Hunspell dictionaries, folded, as stemmers.
 *
 * Hunspell only knows words spelt as in its dictionary, but urbis stems
 * folded words: "uchodzcow", not "uchodźców". So a dictionary is folded
 * as it is loaded: its .aff and .dic are converted to UTF-8, every word and
 * every affix rule's strip, add and condition strings go through
 * urb_fold(), and Hunspell reads the result from memory files. Lowercasing
 * the words also lets proper nouns (Łódź) match their folded form (lodz).
 */
#include "lang_hunspell.h"

#include <errno.h>
#include <hunspell/hunspell.h>
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct urb_hunspell {
    char name[16];
    pthread_mutex_t lock; /* guards everything below */
    Hunhandle *handle;    /* NULL until loaded */
    bool failed;          /* loading failed once: words stay unknown */
};

/* One slot per Hunspell language (pl, uk, bg) with room to spare. */
enum { MAX_DICTS = 8 };
static urb_hunspell_t dicts[MAX_DICTS];
static size_t ndicts;
static pthread_mutex_t dicts_lock = PTHREAD_MUTEX_INITIALIZER;

urb_hunspell_t *urb_hunspell_get(const char *name)
{
    char aff[256], dic[256];
    if (strlen(name) >= sizeof dicts[0].name)
        return NULL;
    snprintf(aff, sizeof aff, "%s/%s.aff", URB_HUNSPELL_DIR, name);
    snprintf(dic, sizeof dic, "%s/%s.dic", URB_HUNSPELL_DIR, name);
    if (access(aff, R_OK) != 0 || access(dic, R_OK) != 0)
        return NULL;

    urb_hunspell_t *h = NULL;
    pthread_mutex_lock(&dicts_lock);
    for (size_t i = 0; i < ndicts && !h; i++)
        if (strcmp(dicts[i].name, name) == 0)
            h = &dicts[i];
    if (!h && ndicts < MAX_DICTS) {
        h = &dicts[ndicts++];
        strcpy(h->name, name);
        pthread_mutex_init(&h->lock, NULL);
    }
    pthread_mutex_unlock(&dicts_lock);
    return h;
}

/* ---- Loading ------------------------------------------------------------ */

static int read_file(const char *path, urb_buf_t *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    int rc = 0;
    out->len = 0;
    for (;;) {
        if (urb_buf_reserve(out, 65536) < 0) {
            rc = -1;
            break;
        }
        size_t n = fread(out->data + out->len, 1, 65536, f);
        out->len += n;
        if (n < 65536) {
            rc = ferror(f) ? -1 : 0;
            break;
        }
    }
    fclose(f);
    if (rc == 0)
        out->data[out->len] = '\0';
    return rc;
}

/* The encoding named by the affix file's SET line (ISO8859-1 without). */
static void aff_encoding(const urb_buf_t *aff, char *enc, size_t size)
{
    snprintf(enc, size, "ISO8859-1");
    const char *p = aff->data, *end = aff->data + aff->len;
    while (p < end) {
        if (strncmp(p, "SET", 3) == 0 && (p[3] == ' ' || p[3] == '\t')) {
            p += 3 + strspn(p + 3, " \t");
            size_t n = strcspn(p, " \t\r\n");
            if (n && n < size)
                snprintf(enc, size, "%.*s", (int)n, p);
            return;
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
}

/* Converts b from `enc` to UTF-8 in place (through `tmp`). */
static int to_utf8(const char *enc, urb_buf_t *b, urb_buf_t *tmp)
{
    if (strcmp(enc, "UTF-8") == 0)
        return 0;
    iconv_t cd = iconv_open("UTF-8", enc);
    if (cd == (iconv_t)-1)
        return -1;
    char *in = b->data;
    size_t inleft = b->len;
    tmp->len = 0;
    int rc = 0;
    while (inleft > 0) {
        if (urb_buf_reserve(tmp, inleft * 2 + 16) < 0) {
            rc = -1;
            break;
        }
        char *out = tmp->data + tmp->len;
        size_t outleft = tmp->cap - tmp->len - 1;
        size_t r = iconv(cd, &in, &inleft, &out, &outleft);
        tmp->len = (size_t)(out - tmp->data);
        if (r == (size_t)-1 && errno != E2BIG) {
            rc = -1;
            break;
        }
    }
    iconv_close(cd);
    if (rc == 0) {
        urb_buf_t t = *b;
        *b = *tmp;
        *tmp = t;
        b->data[b->len] = '\0';
    }
    return rc;
}

/* Appends the folded s[0..len) to out; `fallback` if it folds to nothing. */
static int put_folded(urb_buf_t *out, const char *s, size_t len,
                      const char *fallback, urb_buf_t *tmp)
{
    if (urb_fold(s, len, tmp) < 0)
        return -1;
    if (tmp->len == 0)
        return urb_buf_append(out, fallback, strlen(fallback));
    return urb_buf_append(out, tmp->data, tmp->len);
}

/* Splits the line at p (up to its newline) into at most `max` fields. */
static size_t split_fields(const char *p, const char *end, const char **f,
                           size_t *flen, size_t max)
{
    size_t n = 0;
    while (p < end && n < max) {
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p == end)
            break;
        f[n] = p;
        while (p < end && *p != ' ' && *p != '\t')
            p++;
        flen[n] = (size_t)(p - f[n]);
        n++;
    }
    return n;
}

/* One affix file line. "SET" becomes UTF-8; affix rules
 * "PFX|SFX flag strip add[/flags] condition [morphology]" get their strip,
 * add and condition folded; every other line is copied. */
static int fold_aff_line(const char *p, const char *end, urb_buf_t *out,
                         urb_buf_t *tmp)
{
    if (end - p > 3 && strncmp(p, "SET", 3) == 0 &&
        (p[3] == ' ' || p[3] == '\t'))
        return urb_buf_append(out, "SET UTF-8", 9);
    const char *f[5];
    size_t fl[5];
    bool rule = (strncmp(p, "PFX", 3) == 0 || strncmp(p, "SFX", 3) == 0) &&
                split_fields(p, end, f, fl, 5) == 5;
    if (!rule)
        return urb_buf_append(out, p, (size_t)(end - p));
    const char *slash = memchr(f[3], '/', fl[3]);
    size_t addlen = slash ? (size_t)(slash - f[3]) : fl[3];
    const char *rest = f[4] + fl[4];
    if (urb_buf_append(out, p, (size_t)(f[2] - p)) < 0 ||
        put_folded(out, f[2], fl[2], "0", tmp) < 0 ||
        urb_buf_append(out, " ", 1) < 0 ||
        put_folded(out, f[3], addlen, "0", tmp) < 0 ||
        urb_buf_append(out, f[3] + addlen, fl[3] - addlen) < 0 ||
        urb_buf_append(out, " ", 1) < 0 ||
        put_folded(out, f[4], fl[4], ".", tmp) < 0)
        return -1;
    return urb_buf_append(out, rest, (size_t)(end - rest));
}

/* One dictionary line "word[/flags][<TAB>morphology]": the word folded. */
static int fold_dic_line(const char *p, const char *end, urb_buf_t *out,
                         urb_buf_t *tmp)
{
    const char *w = p;
    while (w < end && *w != '\t' && !(*w == '/' && (w == p || w[-1] != '\\')))
        w++;
    if (put_folded(out, p, (size_t)(w - p), "", tmp) < 0)
        return -1;
    return urb_buf_append(out, w, (size_t)(end - w));
}

typedef int (*fold_line_fn)(const char *, const char *, urb_buf_t *,
                            urb_buf_t *);

/* Folds every line of `in` but the first `keep` into out. */
static int fold_lines(const urb_buf_t *in, size_t keep, fold_line_fn fn,
                      urb_buf_t *out, urb_buf_t *tmp)
{
    const char *p = in->data, *end = in->data + in->len;
    out->len = 0;
    for (size_t line = 0; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        const char *cut = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
        int rc = line < keep ? urb_buf_append(out, p, (size_t)(cut - p))
                             : fn(p, cut, out, tmp);
        if (rc < 0 || urb_buf_append(out, "\n", 1) < 0)
            return -1;
        p = nl ? nl + 1 : end;
    }
    return 0;
}

/* A memory file holding b; its /proc path goes to path. -1 on failure. */
static int memory_file(const urb_buf_t *b, char *path, size_t size)
{
    int fd = memfd_create("urbis-hunspell", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    for (size_t off = 0; off < b->len;) {
        ssize_t n = write(fd, b->data + off, b->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)n;
    }
    snprintf(path, size, "/proc/self/fd/%d", fd);
    return fd;
}

static Hunhandle *load(const char *name)
{
    char path[256], enc[64], affpath[64], dicpath[64];
    urb_buf_t aff = {0}, dic = {0}, out = {0}, tmp = {0};
    Hunhandle *h = NULL;
    int afd = -1, dfd = -1;

    snprintf(path, sizeof path, "%s/%s.aff", URB_HUNSPELL_DIR, name);
    if (read_file(path, &aff) < 0)
        goto done;
    snprintf(path, sizeof path, "%s/%s.dic", URB_HUNSPELL_DIR, name);
    if (read_file(path, &dic) < 0)
        goto done;
    aff_encoding(&aff, enc, sizeof enc);
    if (to_utf8(enc, &aff, &tmp) < 0 || to_utf8(enc, &dic, &tmp) < 0)
        goto done;

    if (fold_lines(&aff, 0, fold_aff_line, &out, &tmp) < 0 ||
        (afd = memory_file(&out, affpath, sizeof affpath)) < 0)
        goto done;
    /* The .dic's first line is its word count. */
    if (fold_lines(&dic, 1, fold_dic_line, &out, &tmp) < 0 ||
        (dfd = memory_file(&out, dicpath, sizeof dicpath)) < 0)
        goto done;
    h = Hunspell_create(affpath, dicpath);

done:
    if (afd >= 0)
        close(afd);
    if (dfd >= 0)
        close(dfd);
    urb_buf_free(&aff);
    urb_buf_free(&dic);
    urb_buf_free(&out);
    urb_buf_free(&tmp);
    return h;
}

/* ---- Stemming ----------------------------------------------------------- */

int urb_hunspell_lemmas(urb_hunspell_t *h, const char *word, urb_buf_t *out)
{
    int rc = 0;
    pthread_mutex_lock(&h->lock);
    if (!h->handle && !h->failed) {
        h->handle = load(h->name);
        h->failed = !h->handle;
    }
    if (h->handle) {
        char **list = NULL;
        int n = Hunspell_stem(h->handle, &list, word);
        out->len = 0;
        for (int i = 0; i < n && rc == 0; i++)
            if (urb_buf_append(out, list[i], strlen(list[i]) + 1) < 0)
                rc = -1;
        if (rc == 0)
            rc = n > 0 ? n : 0;
        if (list)
            Hunspell_free_list(h->handle, &list, n);
    }
    pthread_mutex_unlock(&h->lock);
    return rc;
}

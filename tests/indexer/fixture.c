#include "fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "urbis/indexdir.h"

#ifndef URBIS_INDEX_BIN
#define URBIS_INDEX_BIN "urbis-index"
#endif

static void die(const char *what, const char *path)
{
    fprintf(stderr, "fixture: %s %s: %s\n", what, path, strerror(errno));
    exit(2);
}

char *ix_path(const char *dir, const char *rel)
{
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (!p)
        exit(2);
    snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

void ix_write(const char *dir, const char *rel, const char *data, size_t len)
{
    char *p = ix_path(dir, rel);
    for (char *s = p + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
            die("mkdir", p);
        *s = '/';
    }
    FILE *f = fopen(p, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        die("write", p);
    free(p);
}

void ix_writes(const char *dir, const char *rel, const char *text)
{
    ix_write(dir, rel, text, strlen(text));
}

/* ---- PDF ---------------------------------------------------------------- */

typedef struct pdf {
    char *b;
    size_t len, cap;
    size_t offs[64];
    int nobj;
} pdf_t;

static void put(pdf_t *p, const char *s, size_t n)
{
    if (p->len + n + 1 > p->cap) {
        p->cap = (p->len + n + 1) * 2;
        if (!(p->b = realloc(p->b, p->cap)))
            exit(2);
    }
    memcpy(p->b + p->len, s, n);
    p->len += n;
    p->b[p->len] = '\0';
}

static void putf(pdf_t *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void putf(pdf_t *p, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    put(p, buf, (size_t)n);
}

/* A PDF string literal: ( ) and \ escaped. */
static void put_str(pdf_t *p, const char *s, size_t n)
{
    put(p, "(", 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '(' || s[i] == ')' || s[i] == '\\')
            put(p, "\\", 1);
        put(p, s + i, 1);
    }
    put(p, ")", 1);
}

static void obj_begin(pdf_t *p, int num)
{
    p->offs[num] = p->len;
    if (num > p->nobj)
        p->nobj = num;
    putf(p, "%d 0 obj\n", num);
}

char *ix_pdf(const char *title, const char *const *pages, size_t n,
             size_t *len)
{
    pdf_t p = {0};
    put(&p, "%PDF-1.4\n", 9);
    obj_begin(&p, 1);
    put(&p, "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n", 41);
    obj_begin(&p, 2);
    put(&p, "<< /Type /Pages /Kids [", 23);
    for (size_t i = 0; i < n; i++)
        putf(&p, " %zu 0 R", 4 + 2 * i);
    putf(&p, " ] /Count %zu >>\nendobj\n", n);
    obj_begin(&p, 3);
    putf(&p, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
             "/Encoding /WinAnsiEncoding >>\nendobj\n");
    for (size_t i = 0; i < n; i++) {
        obj_begin(&p, (int)(4 + 2 * i));
        putf(&p, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                 "/Resources << /Font << /F1 3 0 R >> >> /Contents %zu 0 R "
                 ">>\nendobj\n", 5 + 2 * i);
        pdf_t c = {0};
        put(&c, "BT 20 TL 72 720 Td", 18);
        for (const char *s = pages[i]; *s;) {
            size_t l = strcspn(s, "\n");
            bool big = l >= 2 && s[0] == '#' && s[1] == ' ';
            putf(&c, " /F1 %d Tf ", big ? 18 : 11);
            put_str(&c, s + 2 * big, l - 2 * big);
            put(&c, " Tj T*", 6);
            s += l + (s[l] == '\n');
        }
        put(&c, " ET", 3);
        obj_begin(&p, (int)(5 + 2 * i));
        putf(&p, "<< /Length %zu >>\nstream\n", c.len);
        put(&p, c.b, c.len);
        put(&p, "\nendstream\nendobj\n", 18);
        free(c.b);
    }
    int info = 0;
    if (title) {
        info = p.nobj + 1;
        obj_begin(&p, info);
        put(&p, "<< /Title ", 10);
        put_str(&p, title, strlen(title));
        put(&p, " >>\nendobj\n", 11);
    }
    size_t xref = p.len;
    putf(&p, "xref\n0 %d\n0000000000 65535 f \n", p.nobj + 1);
    for (int i = 1; i <= p.nobj; i++)
        putf(&p, "%010zu 00000 n \n", p.offs[i]);
    putf(&p, "trailer\n<< /Size %d /Root 1 0 R", p.nobj + 1);
    if (info)
        putf(&p, " /Info %d 0 R", info);
    putf(&p, " >>\nstartxref\n%zu\n%%%%EOF\n", xref);
    *len = p.len;
    return p.b;
}

/* ---- Running urbis-index ------------------------------------------------ */

static char *slurp_fd(int fd)
{
    size_t cap = 4096, len = 0;
    char *b = malloc(cap);
    ssize_t n;
    if (!b || lseek(fd, 0, SEEK_SET) < 0)
        exit(2);
    while ((n = read(fd, b + len, cap - len - 1)) > 0) {
        len += (size_t)n;
        if (cap - len < 2 && !(b = realloc(b, cap *= 2)))
            exit(2);
    }
    b[len] = '\0';
    return b;
}

static pid_t start(const char *const *args, int out, int err)
{
    const char *argv[64] = {URBIS_INDEX_BIN};
    int n = 1;
    while (args[n - 1] && n < 63) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        die("fork", URBIS_INDEX_BIN);
    if (pid == 0) {
        dup2(out, 1);
        dup2(err, 2);
        execv(URBIS_INDEX_BIN, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static int open_capture(void)
{
    FILE *f = tmpfile();
    if (!f)
        die("tmpfile", "");
    int fd = dup(fileno(f));
    fclose(f);
    return fd;
}

int ix_run(const char *const *args, char **out, char **err)
{
    int o = open_capture(), e = open_capture();
    pid_t pid = start(args, o, e);
    int st = 0;
    struct timespec ms = {0, 2000000};
    for (int waited = 0;; waited += 2) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            break;
        if (waited >= 60000) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            break;
        }
        nanosleep(&ms, NULL);
    }
    if (out)
        *out = slurp_fd(o);
    if (err)
        *err = slurp_fd(e);
    close(o);
    close(e);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

pid_t ix_spawn(const char *const *args)
{
    int null = open("/dev/null", O_WRONLY);
    pid_t pid = start(args, null, null);
    close(null);
    return pid;
}

/* ---- Looking into the index --------------------------------------------- */

urb_xdb_t *ix_open(const char *index)
{
    char gen[URB_GEN_NAME_MAX];
    if (urb_indexdir_current(index, gen) < 0)
        return NULL;
    char *path = urb_indexdir_gen_path(index, gen);
    urb_xdb_t *db = NULL;
    char *msg = NULL;
    if (urb_xdb_open(path, URB_XDB_READ, &db, &msg) != URB_X_OK) {
        fprintf(stderr, "fixture: open %s: %s\n", path, msg ? msg : "");
        db = NULL;
    }
    free(msg);
    free(path);
    return db;
}

long ix_doccount(const char *index)
{
    urb_xdb_t *db = ix_open(index);
    urb_xdb_stats_t st;
    long n = db && urb_xdb_stats(db, &st) == URB_X_OK ? (long)st.doccount : -1;
    urb_xdb_free(db);
    return n;
}

bool ix_has_term(urb_xdb_t *db, const char *term)
{
    uint32_t freq = 0;
    return urb_xdb_termfreq(db, term, strlen(term), &freq) == URB_X_OK &&
           freq > 0;
}

long ix_json_num(const char *json, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = json ? strstr(json, pat) : NULL;
    return p ? strtol(p + strlen(pat), NULL, 10) : -1;
}

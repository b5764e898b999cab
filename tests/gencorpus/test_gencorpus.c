/* gen-corpus: the same seed gives the same bytes and another seed other
 * bytes; every report has complete front matter in valid UTF-8; all
 * languages occur; --mutate edits, deletes and adds its share of reports,
 * the same way every time. Usage: test_gencorpus GEN-CORPUS [CASE...]. */
#include "test.h"

#include <ctype.h>
#include <stdarg.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#define COUNT 200

static const char *gen_corpus;

static const char *const LANGS[] = {"en", "es", "ca", "de", "fr", "it",
                                    "pl", "pt", "nl", "sv", "tr", "el",
                                    "uk", "ar", "zh", "ja", "ru", "bg"};
#define NLANGS (sizeof LANGS / sizeof LANGS[0])

/* Runs gen-corpus --count COUNT with the NULL-terminated options and OUTDIR
 * last; returns its exit status. */
static int gen(const char *outdir, ...)
{
    const char *argv[16] = {gen_corpus, "--count", "200"};
    int argc = 3;
    va_list ap;
    va_start(ap, outdir);
    for (const char *a; (a = va_arg(ap, const char *)) && argc < 14;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc++] = outdir;
    argv[argc] = NULL;

    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        execv(gen_corpus, (char *const *)argv);
        _exit(127);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (!p)
        abort();
    snprintf(p, n, "%s/%s", a, b);
    return p;
}

/* ---- file trees ---- */

typedef struct {
    char **path; /* relative to the root, sorted */
    size_t n, cap;
} files_t;

static files_t *collecting;
static size_t root_len;

static int collect(const char *path, const struct stat *st, int flag,
                   struct FTW *ftw)
{
    (void)st, (void)ftw;
    if (flag != FTW_F)
        return 0;
    files_t *f = collecting;
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 256;
        f->path = realloc(f->path, f->cap * sizeof *f->path);
        if (!f->path)
            abort();
    }
    f->path[f->n] = strdup(path + root_len + 1);
    if (!f->path[f->n++])
        abort();
    return 0;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static files_t list_files(const char *root)
{
    files_t f = {NULL, 0, 0};
    collecting = &f;
    root_len = strlen(root);
    nftw(root, collect, 16, FTW_PHYS);
    if (f.n)
        qsort(f.path, f.n, sizeof *f.path, by_path);
    return f;
}

static void free_files(files_t *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->path[i]);
    free(f->path);
}

static char *slurp(const char *root, const char *rel, size_t *len)
{
    char *path = join(root, rel);
    FILE *fp = fopen(path, "rb");
    free(path);
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    rewind(fp);
    char *text = malloc((size_t)size + 1);
    if (!text)
        abort();
    *len = fread(text, 1, (size_t)size, fp);
    text[*len] = '\0';
    fclose(fp);
    return text;
}

typedef struct {
    size_t same, changed, only_a, only_b;
} diff_t;

static diff_t diff_trees(const char *a, const char *b)
{
    files_t fa = list_files(a), fb = list_files(b);
    diff_t d = {0, 0, 0, 0};
    size_t i = 0, j = 0;
    while (i < fa.n || j < fb.n) {
        int cmp = i == fa.n   ? 1
                  : j == fb.n ? -1
                              : strcmp(fa.path[i], fb.path[j]);
        if (cmp < 0) {
            d.only_a++, i++;
        } else if (cmp > 0) {
            d.only_b++, j++;
        } else {
            size_t la, lb;
            char *ta = slurp(a, fa.path[i], &la),
                 *tb = slurp(b, fb.path[j], &lb);
            bool same = ta && tb && la == lb && memcmp(ta, tb, la) == 0;
            d.same += same;
            d.changed += !same;
            free(ta);
            free(tb);
            i++, j++;
        }
    }
    free_files(&fa);
    free_files(&fb);
    return d;
}

/* ---- report checks ---- */

/* Strict UTF-8: no overlong forms, surrogates or code points past U+10FFFF. */
static bool utf8_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t len;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0)
            len = 2, cp = c & 0x1f, min = 0x80;
        else if ((c & 0xf0) == 0xe0)
            len = 3, cp = c & 0x0f, min = 0x800;
        else if ((c & 0xf8) == 0xf0)
            len = 4, cp = c & 0x07, min = 0x10000;
        else
            return false;
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

static int lang_index(const char *code, size_t n)
{
    for (size_t i = 0; i < NLANGS; i++)
        if (strlen(LANGS[i]) == n && memcmp(LANGS[i], code, n) == 0)
            return (int)i;
    return -1;
}

static size_t count_words(const char *s, const char *end)
{
    size_t n = 0;
    for (bool in = false; s < end; s++) {
        bool space = isspace((unsigned char)*s);
        n += !space && !in;
        in = !space;
    }
    return n;
}

static const char *const KEYS[] = {"id",   "title", "city",    "country",
                                   "lang", "year",  "networks"};
#define NKEYS (sizeof KEYS / sizeof KEYS[0])

typedef struct {
    char value[NKEYS][512];
    int lang;         /* index in LANGS, or -1 */
    size_t words;     /* body words outside headings; 0 for zh and ja */
    const char *body; /* into the text */
} report_t;

/* Parses and checks the report at rel (LANG/NNN/ID.md); fails checks and
 * returns false if anything is missing or malformed. */
static bool check_report(const char *rel, const char *text, size_t len,
                         report_t *r)
{
    int failed = urb_test_failed_checks;
    memset(r, 0, sizeof *r);
    r->lang = -1;
    CHECK(utf8_valid((const unsigned char *)text, len));
    CHECK(strlen(text) == len);
    CHECK(strncmp(text, "---\n", 4) == 0);
    const char *end = strstr(text, "\n---\n");
    CHECK(end != NULL);
    if (!end || urb_test_failed_checks != failed)
        return false;

    int seen[NKEYS] = {0};
    for (const char *line = text + 4; line < end + 1;) {
        const char *nl = strchr(line, '\n');
        const char *colon = memchr(line, ':', (size_t)(nl - line));
        CHECK(colon != NULL);
        if (!colon)
            return false;
        for (size_t k = 0; k < NKEYS; k++) {
            if ((size_t)(colon - line) == strlen(KEYS[k]) &&
                memcmp(line, KEYS[k], strlen(KEYS[k])) == 0) {
                const char *v = colon + 1 + (colon[1] == ' ');
                snprintf(r->value[k], sizeof r->value[k], "%.*s", (int)(nl - v),
                         v);
                seen[k]++;
            }
        }
        line = nl + 1;
    }
    for (size_t k = 0; k < NKEYS; k++)
        if (seen[k] != 1)
            fprintf(stderr, "%s: key %s seen %d times\n", rel, KEYS[k],
                    seen[k]);
    for (size_t k = 0; k < NKEYS; k++)
        CHECK(seen[k] == 1);

    const char *id = r->value[0], *title = r->value[1], *city = r->value[2];
    CHECK(strlen(id) > 8);
    if (strlen(id) <= 8)
        return false;
    const char *country = r->value[3], *lang = r->value[4];
    int year = atoi(r->value[5]);
    char want[2 * sizeof r->value[0] + 32];
    snprintf(want, sizeof want, "%s/%03d/%s.md", lang,
             atoi(id + strlen(id) - 7) / 1000, id);
    CHECK_STR(rel, want);
    r->lang = lang_index(lang, strlen(lang));
    CHECK(r->lang >= 0);
    CHECK(*title && *city);
    CHECK(strlen(country) == 2 && isupper((unsigned char)country[0]) &&
          isupper((unsigned char)country[1]));
    CHECK(year >= 2010 && year <= 2025);

    size_t nets = 0;
    for (const char *p = r->value[6]; *p; nets++) {
        size_t n = strcspn(p, ",");
        CHECK(count_words(p, p + n) > 0);
        p += n + (p[n] == ',');
    }
    CHECK(nets <= 3);

    r->body = end + 5;
    CHECK(strstr(r->body, "\n## ") != NULL);
    bool spaced = r->lang >= 0 && strcmp(lang, "zh") && strcmp(lang, "ja");
    if (spaced) {
        size_t title_words = count_words(title, title + strlen(title));
        CHECK(title_words >= 5 && title_words <= 9);
        for (const char *line = r->body; *line;) {
            const char *nl = strchr(line, '\n');
            const char *eol = nl ? nl : line + strlen(line);
            if (strncmp(line, "## ", 3) != 0)
                r->words += count_words(line, eol) - (line[0] == '-');
            line = nl ? nl + 1 : eol;
        }
    }
    return urb_test_failed_checks == failed;
}

/* ---- cases ---- */

static void same_seed_same_bytes(void)
{
    char *root = urb_test_tmpdir();
    char *a = join(root, "a"), *b = join(root, "b");
    CHECK(gen(a, "--seed", "7", NULL) == 0);
    CHECK(gen(b, "--seed", "7", NULL) == 0);
    diff_t d = diff_trees(a, b);
    CHECK(d.same == COUNT);
    CHECK(d.changed == 0 && d.only_a == 0 && d.only_b == 0);
    urb_test_rmtree(root);
    free(a), free(b), free(root);
}

static void other_seed_other_bytes(void)
{
    char *root = urb_test_tmpdir();
    char *a = join(root, "a"), *b = join(root, "b");
    CHECK(gen(a, "--seed", "7", NULL) == 0);
    CHECK(gen(b, "--seed", "8", NULL) == 0);
    diff_t d = diff_trees(a, b);
    CHECK(d.same == 0);
    CHECK(d.same + d.changed + d.only_a == COUNT);
    CHECK(d.same + d.changed + d.only_b == COUNT);
    urb_test_rmtree(root);
    free(a), free(b), free(root);
}

static void every_report_valid(void)
{
    char *root = urb_test_tmpdir();
    CHECK(gen(root, "--seed", "7", NULL) == 0);
    files_t f = list_files(root);
    CHECK(f.n == COUNT);
    size_t per_lang[NLANGS] = {0}, words = 0, spaced = 0, longest = 0;
    for (size_t i = 0; i < f.n; i++) {
        size_t len;
        char *text = slurp(root, f.path[i], &len);
        report_t r;
        CHECK(text != NULL);
        if (text && check_report(f.path[i], text, len, &r)) {
            per_lang[r.lang]++;
            spaced += r.words > 0;
            words += r.words;
            longest = r.words > longest ? r.words : longest;
        } else {
            fprintf(stderr, "bad report: %s\n", f.path[i]);
        }
        free(text);
    }
    for (size_t i = 0; i < NLANGS; i++) {
        if (!per_lang[i])
            fprintf(stderr, "no report in %s\n", LANGS[i]);
        CHECK(per_lang[i] > 0);
    }
    /* ~315 words on average, lognormal: some well above the mean. */
    CHECK(spaced > COUNT / 2);
    CHECK(spaced && words / spaced >= 250 && words / spaced <= 400);
    CHECK(longest > 2 * words / (spaced ? spaced : 1));
    free_files(&f);
    urb_test_rmtree(root);
    free(root);
}

static void langs_option_restricts(void)
{
    char *root = urb_test_tmpdir();
    CHECK(gen(root, "--seed", "7", "--langs", "zh,en", NULL) == 0);
    files_t f = list_files(root);
    size_t en = 0, zh = 0;
    for (size_t i = 0; i < f.n; i++) {
        en += strncmp(f.path[i], "en/", 3) == 0;
        zh += strncmp(f.path[i], "zh/", 3) == 0;
    }
    CHECK(f.n == COUNT && en + zh == COUNT && en > 0 && zh > 0);
    CHECK(gen(root, "--langs", "xx", NULL) != 0);
    free_files(&f);
    urb_test_rmtree(root);
    free(root);
}

/* The front matter of an edited report is kept: only its text changes. */
static void check_edited(const char *a, const char *b)
{
    files_t fa = list_files(a);
    for (size_t i = 0; i < fa.n; i++) {
        size_t la, lb;
        char *ta = slurp(a, fa.path[i], &la), *tb = slurp(b, fa.path[i], &lb);
        if (ta && tb && (la != lb || memcmp(ta, tb, la) != 0)) {
            report_t ra, rb;
            CHECK(check_report(fa.path[i], ta, la, &ra));
            CHECK(check_report(fa.path[i], tb, lb, &rb));
            CHECK(ra.body - ta == rb.body - tb &&
                  memcmp(ta, tb, (size_t)(ra.body - ta)) == 0);
        }
        free(ta);
        free(tb);
    }
    free_files(&fa);
}

static void mutate_changes_its_share(void)
{
    char *root = urb_test_tmpdir();
    char *base = join(root, "base"), *a = join(root, "a"), *b = join(root, "b");
    CHECK(gen(base, "--seed", "7", NULL) == 0);
    CHECK(gen(a, "--seed", "7", NULL) == 0);
    CHECK(gen(b, "--seed", "7", NULL) == 0);
    CHECK(gen(a, "--seed", "7", "--mutate", "10", NULL) == 0);
    CHECK(gen(b, "--seed", "7", "--mutate", "10", NULL) == 0);

    diff_t same = diff_trees(a, b);
    CHECK(same.changed == 0 && same.only_a == 0 && same.only_b == 0);

    /* 10% of 200: 7 edited, 7 deleted, 6 added. */
    diff_t d = diff_trees(base, a);
    CHECK(d.changed == 7);
    CHECK(d.only_a == 7);
    CHECK(d.only_b == 6);
    CHECK(d.same == COUNT - 14);
    check_edited(base, a);

    files_t f = list_files(a);
    size_t added = 0;
    for (size_t i = 0; i < f.n; i++) {
        size_t len;
        char *text = slurp(a, f.path[i], &len);
        report_t r;
        if (text && check_report(f.path[i], text, len, &r)) {
            const char *id = r.value[0];
            int n = atoi(id + strlen(id) - 7);
            added += n >= COUNT && n < COUNT + 6;
        }
        free(text);
    }
    CHECK(added == 6);
    free_files(&f);
    urb_test_rmtree(root);
    free(base), free(a), free(b), free(root);
}

int main(int argc, char **argv)
{
    static const urb_test_case_t cases[] = {
        T(same_seed_same_bytes),     T(other_seed_other_bytes),
        T(every_report_valid),       T(langs_option_restricts),
        T(mutate_changes_its_share), {NULL, NULL}};
    if (argc < 2) {
        fprintf(stderr, "usage: %s GEN-CORPUS [CASE...]\n", argv[0]);
        return 2;
    }
    gen_corpus = argv[1];
    argv[1] = argv[0];
    return urb_test_run(cases, argc - 1, argv + 1);
}

/* gen-corpus — writes a synthetic, reproducible corpus of city reports for
 * benchmarks and scale tests (usage below). Every report is a function of
 * the seed, its index and the language set only: the same arguments give
 * byte-identical files, and a larger --count only adds files. Words come
 * from tools/gen-corpus-vocab/<lang>.txt (see make-vocab there), drawn with
 * Zipf-like frequencies by rank; cities from gen-corpus-vocab/cities.tsv. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#ifndef GEN_CORPUS_VOCAB_DIR
#define GEN_CORPUS_VOCAB_DIR "tools/gen-corpus-vocab"
#endif

#define MAX_COUNT 1000000
#define FILES_PER_DIR 1000
#define DOC_TOPIC_WORDS 8
#define MAX_NETWORKS 3

/* Text statistics. Word counts are lognormal: median 255 and sigma 0.65
 * give a mean near 315 with a tail to MAX_WORDS. */
#define MEDIAN_WORDS 255.0
#define SIGMA_WORDS 0.65
#define MIN_WORDS 40
#define MAX_WORDS 3000
#define ZIPF_S 1.0 /* exponent of p(rank) ~ 1/(rank + q)^s */
#define ZIPF_Q_CONTENT 2.7
#define ZIPF_Q_FUNCTION 1.0
#define P_DOC_TOPIC 0.05 /* a content word is one of the report's own */
#define P_NUMBER 0.015
#define P_COMMA 0.07
#define P_CITY 0.2 /* a sentence names the city */

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gen-corpus: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

/* ---- random numbers: xoshiro256**, seeded through splitmix64 ---- */

typedef struct {
    uint64_t s[4];
} rng_t;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* One independent stream per (seed, report, purpose, revision), so that a
 * report, or one section of it, can be regenerated on its own. */
static void rng_init(rng_t *r, uint64_t seed, uint64_t idx, uint64_t tag,
                     uint64_t rev)
{
    const uint64_t keys[3] = {idx, tag, rev};
    uint64_t x = seed;
    for (int i = 0; i < 3; i++) {
        uint64_t mixed = splitmix64(&x);
        x = mixed ^ keys[i];
    }
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* Uniform in [0, 1). */
static double rng_unit(rng_t *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static uint32_t rng_below(rng_t *r, uint32_t n)
{
    return (uint32_t)(rng_unit(r) * n);
}

static bool rng_chance(rng_t *r, double p)
{
    return rng_unit(r) < p;
}

static double rng_normal(rng_t *r)
{
    double u1 = 1.0 - rng_unit(r), u2 = rng_unit(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

enum { TAG_META = 1, TAG_MUTATE, TAG_SECTION };

/* ---- growable output buffer ---- */

typedef struct {
    char *p;
    size_t len, cap;
} buf_t;

static void buf_put(buf_t *b, const char *s, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        while (cap < b->len + n)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            die("out of memory");
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void buf_puts(buf_t *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

static void buf_printf(buf_t *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        die("bad format");
    if ((size_t)n < sizeof small) {
        buf_put(b, small, (size_t)n);
        return;
    }
    char *big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf_put(b, big, (size_t)n);
    free(big);
}

/* ---- languages, word lists, cities ---- */

typedef struct {
    const char *code;
    unsigned weight;     /* relative share of the reports */
    double native_share; /* chance that a report is about a city speaking it */
    bool spaced;         /* words separated by spaces */
    const char *comma, *stop;
} lang_info_t;

static const lang_info_t LANG_INFO[] = {
    {"en", 3, 0.35, true, ",", "."},    {"es", 1, 0.85, true, ",", "."},
    {"ca", 1, 0.85, true, ",", "."},    {"de", 1, 0.85, true, ",", "."},
    {"fr", 1, 0.85, true, ",", "."},    {"it", 1, 0.85, true, ",", "."},
    {"pl", 1, 0.85, true, ",", "."},    {"pt", 1, 0.85, true, ",", "."},
    {"nl", 1, 0.85, true, ",", "."},    {"sv", 1, 0.85, true, ",", "."},
    {"tr", 1, 0.85, true, ",", "."},    {"el", 1, 0.85, true, ",", "."},
    {"uk", 1, 0.85, true, ",", "."},    {"ar", 1, 0.85, true, "،", "."},
    {"zh", 1, 0.85, false, "，", "。"}, {"ja", 1, 0.85, false, "、", "。"},
    {"ru", 1, 0.85, true, ",", "."},    {"bg", 1, 0.85, true, ",", "."},
};
#define NLANG_INFO (sizeof LANG_INFO / sizeof LANG_INFO[0])

static const char *const NETWORKS[] = {
    "Eurocities",
    "Intercultural Cities",
    "Solidarity Cities",
    "Welcoming International",
    "Cities of Migration",
    "ECCAR",
    "Mayors Migration Council",
    "Global Parliament of Mayors",
    "Integrating Cities",
    "UCLG",
    "Strong Cities Network",
    "City of Sanctuary",
};
#define NNETWORKS (sizeof NETWORKS / sizeof NETWORKS[0])

enum {
    SEC_TAKEAWAYS,
    SEC_UNIQUE,
    SEC_FOCUS,
    SEC_LEARN,
    SEC_NETWORKS,
    NSECTIONS
};
static const double SECTION_SHARE[NSECTIONS] = {0.20, 0.25, 0.30, 0.15, 0.10};

typedef struct {
    const char *s, *cap; /* the word, and with its first letter upper case */
    uint32_t len, caplen;
} word_t;

/* Words in rank order with cumulative Zipf weights. */
typedef struct {
    word_t *w;
    double *cdf;
    size_t n;
} wordlist_t;

typedef struct {
    const lang_info_t *info;
    char *text; /* the vocabulary file; words point into it */
    char *caps; /* the capitalised forms */
    const char *headings[NSECTIONS];
    wordlist_t function, content;
    uint32_t *cities; /* cities where the language is spoken */
    size_t ncities;
} lang_t;

typedef struct {
    const char *slug, *name, *country;
} city_t;

typedef struct {
    uint64_t seed;
    const char *outdir;
    lang_t *langs; /* the selected languages, in LANG_INFO order */
    size_t nlangs;
    double *lang_cdf;
    char *cities_text;
    city_t *cities;
    size_t ncities;
    unsigned char *made_dirs; /* [lang * nbuckets + bucket] created */
    size_t nbuckets;
    buf_t doc;
    uint64_t words; /* body words written */
} corpus_t;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0)
        die("%s: %s", path, strerror(errno));
    char *text = xmalloc((size_t)st.st_size + 1);
    *len = fread(text, 1, (size_t)st.st_size, f);
    if (ferror(f))
        die("%s: read error", path);
    fclose(f);
    text[*len] = '\0';
    return text;
}

/* Splits text into lines in place: each '\n' becomes NUL, a trailing '\r'
 * too. Returns the next line and advances *pos, or NULL at the end. */
static char *next_line(char *text, size_t len, size_t *pos)
{
    if (*pos >= len)
        return NULL;
    char *line = text + *pos;
    char *nl = memchr(line, '\n', len - *pos);
    size_t n = nl ? (size_t)(nl - line) : len - *pos;
    *pos += n + 1;
    line[n] = '\0';
    if (n && line[n - 1] == '\r')
        line[n - 1] = '\0';
    return line;
}

/* Writes s with its first letter upper-cased (Turkish dotted i kept) to out,
 * which has room for len + 4 bytes. Returns the length written. */
static size_t capitalise(const lang_info_t *info, const char *s, size_t len,
                         char *out)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s,
                                          (utf8proc_ssize_t)len, &cp);
    if (n <= 0)
        die("%s: invalid UTF-8 in word list: %s", info->code, s);
    utf8proc_int32_t up = cp == 'i' && strcmp(info->code, "tr") == 0
                              ? 0x130
                              : utf8proc_toupper(cp);
    size_t m = (size_t)utf8proc_encode_char(up, (utf8proc_uint8_t *)out);
    memcpy(out + m, s + n, len - (size_t)n);
    out[m + len - (size_t)n] = '\0';
    return m + len - (size_t)n;
}

static void set_cdf(wordlist_t *wl, double q)
{
    wl->cdf = xmalloc(wl->n * sizeof *wl->cdf);
    double sum = 0;
    for (size_t i = 0; i < wl->n; i++) {
        sum += 1.0 / pow((double)(i + 1) + q, ZIPF_S);
        wl->cdf[i] = sum;
    }
}

static void load_lang(lang_t *l, const lang_info_t *info, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.txt", dir, info->code);
    size_t len, pos = 0, nlines = 1;
    *l = (lang_t){.info = info};
    l->text = read_file(path, &len);
    for (size_t i = 0; i < len; i++)
        nlines += l->text[i] == '\n';
    l->function.w = xmalloc(nlines * sizeof(word_t));
    l->content.w = xmalloc(nlines * sizeof(word_t));
    l->caps = xmalloc(len + 5 * nlines);

    char *caps = l->caps, *line;
    size_t nheadings = 0;
    enum { NONE, HEADINGS, WORDS } part = NONE;
    wordlist_t *into = NULL;
    while ((line = next_line(l->text, len, &pos))) {
        if (!*line || *line == '#')
            continue;
        if (*line == '[') {
            part = WORDS;
            if (strcmp(line, "[headings]") == 0)
                part = HEADINGS;
            else if (strcmp(line, "[function]") == 0)
                into = &l->function;
            else if (strcmp(line, "[content]") == 0)
                into = &l->content;
            else
                die("%s: unknown section %s", path, line);
            continue;
        }
        if (part == NONE)
            die("%s: text before the first section", path);
        if (part == HEADINGS) {
            if (nheadings == NSECTIONS)
                die("%s: more than %d headings", path, NSECTIONS);
            l->headings[nheadings++] = line;
            continue;
        }
        word_t *w = &into->w[into->n++];
        w->s = line;
        w->len = (uint32_t)strlen(line);
        w->cap = caps;
        w->caplen = (uint32_t)capitalise(info, line, w->len, caps);
        caps += w->caplen + 1;
    }
    if (nheadings != NSECTIONS || !l->function.n || !l->content.n)
        die("%s: needs %d headings, function and content words", path,
            NSECTIONS);
    set_cdf(&l->function, ZIPF_Q_FUNCTION);
    set_cdf(&l->content, ZIPF_Q_CONTENT);
}

static lang_t *find_lang(corpus_t *c, const char *code, size_t n)
{
    for (size_t i = 0; i < c->nlangs; i++)
        if (strlen(c->langs[i].info->code) == n &&
            memcmp(c->langs[i].info->code, code, n) == 0)
            return &c->langs[i];
    return NULL;
}

/* cities.tsv: slug, name, country, space-separated languages. */
static void load_cities(corpus_t *c, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/cities.tsv", dir);
    size_t len, pos = 0, nlines = 1;
    c->cities_text = read_file(path, &len);
    for (size_t i = 0; i < len; i++)
        nlines += c->cities_text[i] == '\n';
    c->cities = xmalloc(nlines * sizeof(city_t));
    for (size_t i = 0; i < c->nlangs; i++)
        c->langs[i].cities = xmalloc(nlines * sizeof(uint32_t));

    char *line;
    c->ncities = 0;
    while ((line = next_line(c->cities_text, len, &pos))) {
        if (!*line || *line == '#')
            continue;
        char *field[4] = {line, NULL, NULL, NULL};
        for (int i = 1; i < 4; i++) {
            char *tab = field[i - 1] ? strchr(field[i - 1], '\t') : NULL;
            if (tab) {
                *tab = '\0';
                field[i] = tab + 1;
            }
        }
        if (!field[2])
            die("%s: bad line: %s", path, line);
        city_t *city = &c->cities[c->ncities];
        *city = (city_t){field[0], field[1], field[2]};
        for (char *p = field[3]; p && *p;) {
            size_t n = strcspn(p, " ");
            lang_t *l = find_lang(c, p, n);
            if (l)
                l->cities[l->ncities++] = (uint32_t)c->ncities;
            p += n + (p[n] == ' ');
        }
        c->ncities++;
    }
    if (!c->ncities)
        die("%s: no cities", path);
}

/* ---- reports ---- */

typedef struct {
    uint32_t idx;
    const lang_t *lang;
    const city_t *city;
    unsigned year, nnets, nets[MAX_NETWORKS];
    unsigned budget[NSECTIONS]; /* words per section */
    const word_t *topic[DOC_TOPIC_WORDS];
    rng_t rng; /* the report's metadata stream, continued by the title */
} report_t;

static const word_t *pick(const wordlist_t *wl, rng_t *r)
{
    double u = rng_unit(r) * wl->cdf[wl->n - 1];
    size_t lo = 0, hi = wl->n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (wl->cdf[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return &wl->w[lo];
}

static size_t pick_cdf(const double *cdf, size_t n, rng_t *r)
{
    double u = rng_unit(r) * cdf[n - 1];
    size_t i = 0;
    while (i + 1 < n && cdf[i] <= u)
        i++;
    return i;
}

/* Draws everything about report idx but its text. */
static void plan_report(const corpus_t *c, uint32_t idx, report_t *r)
{
    rng_t *rng = &r->rng;
    rng_init(rng, c->seed, idx, TAG_META, 0);
    r->idx = idx;
    r->lang = &c->langs[pick_cdf(c->lang_cdf, c->nlangs, rng)];
    const lang_t *l = r->lang;
    if (l->ncities && rng_chance(rng, l->info->native_share))
        r->city = &c->cities[l->cities[rng_below(rng, (uint32_t)l->ncities)]];
    else
        r->city = &c->cities[rng_below(rng, (uint32_t)c->ncities)];
    r->year = 2010 + rng_below(rng, 16);

    static const double nets_cdf[MAX_NETWORKS + 1] = {0.30, 0.65, 0.85, 1.0};
    r->nnets = (unsigned)pick_cdf(nets_cdf, MAX_NETWORKS + 1, rng);
    for (unsigned i = 0; i < r->nnets; i++) {
        unsigned n;
        bool dup;
        do {
            n = rng_below(rng, NNETWORKS);
            dup = false;
            for (unsigned j = 0; j < i; j++)
                dup |= r->nets[j] == n;
        } while (dup);
        r->nets[i] = n;
    }

    double words = MEDIAN_WORDS * exp(SIGMA_WORDS * rng_normal(rng));
    words = words < MIN_WORDS   ? MIN_WORDS
            : words > MAX_WORDS ? MAX_WORDS
                                : words;
    double share[NSECTIONS], total = 0;
    for (int s = 0; s < NSECTIONS; s++) {
        share[s] = SECTION_SHARE[s] * (0.7 + 0.6 * rng_unit(rng));
        if (s == SEC_NETWORKS && !r->nnets)
            share[s] = 0;
        total += share[s];
    }
    for (int s = 0; s < NSECTIONS; s++)
        r->budget[s] = (unsigned)lround(words * share[s] / total);

    /* Words a report keeps coming back to, as real ones do. */
    const wordlist_t *content = &l->content;
    size_t skip = content->n > 100 ? 40 : 0;
    for (int i = 0; i < DOC_TOPIC_WORDS; i++)
        r->topic[i] =
            &content->w[skip + rng_below(rng, (uint32_t)(content->n - skip))];
}

static void put_number(buf_t *b, rng_t *r)
{
    switch (rng_below(r, 3)) {
    case 0:
        buf_printf(b, "%u", 1990 + rng_below(r, 36));
        break;
    case 1:
        buf_printf(b, "%u%%", 1 + rng_below(r, 99));
        break;
    default:
        buf_printf(b, "%u", 10 + rng_below(r, 99990));
        break;
    }
}

/* Writes n words: function and content words alternating roughly as in
 * real text, each drawn by rank; a sentence (not a title) also gets commas,
 * numbers, the city's name and a full stop. */
static void put_words(buf_t *b, const report_t *rep, rng_t *r, unsigned n,
                      bool sentence)
{
    const lang_t *l = rep->lang;
    bool content = rng_chance(r, 0.6);
    unsigned city_at = sentence && rng_chance(r, P_CITY) ? rng_below(r, n) : n;
    for (unsigned i = 0; i < n; i++) {
        if (i && l->info->spaced)
            buf_put(b, " ", 1);
        content |= i + 1 == n; /* never end on "the" */
        if (i == city_at) {
            buf_puts(b, rep->city->name);
        } else if (content && sentence && rng_chance(r, P_NUMBER)) {
            put_number(b, r);
        } else {
            const word_t *w;
            if (!content)
                w = pick(&l->function, r);
            else if (rng_chance(r, P_DOC_TOPIC))
                w = rep->topic[rng_below(r, DOC_TOPIC_WORDS)];
            else
                w = pick(&l->content, r);
            if (i == 0)
                buf_put(b, w->cap, w->caplen);
            else
                buf_put(b, w->s, w->len);
        }
        if (sentence && content && i + 1 < n && rng_chance(r, P_COMMA))
            buf_puts(b, l->info->comma);
        content = content ? !rng_chance(r, 0.45) : rng_chance(r, 0.85);
    }
    if (sentence)
        buf_puts(b, l->info->stop);
}

/* Sentence length for what is left of a budget, or 0 to end the section. */
static unsigned sentence_length(rng_t *r, unsigned left, bool first)
{
    unsigned n = 6 + rng_below(r, 12) + rng_below(r, 12);
    if (n <= left)
        return n;
    if (left >= 4)
        return left;
    return first ? 4 : 0;
}

/* Writes section s; rev > 0 gives the edited text of --mutate. */
static unsigned put_section(corpus_t *c, const report_t *rep, int s,
                            uint64_t rev)
{
    buf_t *b = &c->doc;
    const lang_info_t *info = rep->lang->info;
    rng_t r;
    rng_init(&r, c->seed, rep->idx, TAG_SECTION + (uint64_t)s, rev);
    buf_printf(b, "\n## %s\n\n", rep->lang->headings[s]);

    unsigned written = 0, n;
    if (s == SEC_NETWORKS) {
        for (unsigned i = 0; i < rep->nnets; i++) {
            unsigned left = rep->budget[s] / rep->nnets;
            buf_printf(b, "- %s: ", NETWORKS[rep->nets[i]]);
            for (bool first = true; (n = sentence_length(&r, left, first));
                 first = false) {
                if (!first && info->spaced)
                    buf_put(b, " ", 1);
                put_words(b, rep, &r, n, true);
                left -= n < left ? n : left;
                written += n;
            }
            buf_put(b, "\n", 1);
        }
        return written;
    }
    unsigned left = rep->budget[s], in_paragraph = 0;
    unsigned paragraph = 3 + rng_below(&r, 4);
    for (bool first = true; (n = sentence_length(&r, left, first));
         first = false) {
        if (s == SEC_TAKEAWAYS) {
            buf_puts(b, "- ");
        } else if (in_paragraph == paragraph) {
            buf_puts(b, "\n\n");
            in_paragraph = 0;
            paragraph = 3 + rng_below(&r, 4);
        } else if (!first && info->spaced) {
            buf_put(b, " ", 1);
        }
        put_words(b, rep, &r, n, true);
        if (s == SEC_TAKEAWAYS)
            buf_put(b, "\n", 1);
        in_paragraph++;
        left -= n < left ? n : left;
        written += n;
    }
    if (s != SEC_TAKEAWAYS)
        buf_put(b, "\n", 1);
    return written;
}

static void report_path(const corpus_t *c, const report_t *r, char *path,
                        size_t size)
{
    int n = snprintf(path, size, "%s/%s/%03u/%s-%s-%07u.md", c->outdir,
                     r->lang->info->code, r->idx / FILES_PER_DIR, r->city->slug,
                     r->lang->info->code, r->idx);
    if (n < 0 || (size_t)n >= size)
        die("path too long: %s", c->outdir);
}

static void make_dir(const char *path)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        die("%s: %s", path, strerror(errno));
}

/* Creates the report's folder the first time one of its files goes there. */
static void make_report_dir(corpus_t *c, const report_t *r, const char *path)
{
    size_t bucket = r->idx / FILES_PER_DIR;
    size_t slot = (size_t)(r->lang - c->langs) * c->nbuckets + bucket;
    if (c->made_dirs[slot])
        return;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", c->outdir, r->lang->info->code);
    make_dir(dir);
    size_t len = (size_t)(strrchr(path, '/') - path);
    snprintf(dir, sizeof dir, "%.*s", (int)len, path);
    make_dir(dir);
    c->made_dirs[slot] = 1;
}

static void write_file(const char *path, const buf_t *b)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        die("%s: %s", path, strerror(errno));
    for (size_t off = 0; off < b->len;) {
        ssize_t n = write(fd, b->p + off, b->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("%s: %s", path, strerror(errno));
        off += (size_t)n;
    }
    if (close(fd) != 0)
        die("%s: %s", path, strerror(errno));
}

/* Writes report idx; edited_section >= 0 replaces that section's text with
 * its edited revision. */
static void write_report(corpus_t *c, uint32_t idx, int edited_section)
{
    report_t r;
    char path[4096];
    plan_report(c, idx, &r);
    report_path(c, &r, path, sizeof path);
    make_report_dir(c, &r, path);

    buf_t *b = &c->doc;
    const char *code = r.lang->info->code;
    b->len = 0;
    buf_printf(b, "---\nid: %s-%s-%07u\ntitle: ", r.city->slug, code, idx);
    put_words(b, &r, &r.rng, 5 + rng_below(&r.rng, 5), false);
    buf_printf(b, "\ncity: %s\ncountry: %s\nlang: %s\nyear: %u\nnetworks:",
               r.city->name, r.city->country, code, r.year);
    for (unsigned i = 0; i < r.nnets; i++)
        buf_printf(b, "%s %s", i ? "," : "", NETWORKS[r.nets[i]]);
    buf_puts(b, "\n---\n");
    for (int s = 0; s < NSECTIONS; s++)
        if (s != SEC_NETWORKS || r.nnets)
            c->words += put_section(c, &r, s, s == edited_section);
    write_file(path, b);
}

static void delete_report(corpus_t *c, uint32_t idx)
{
    report_t r;
    char path[4096];
    plan_report(c, idx, &r);
    report_path(c, &r, path, sizeof path);
    if (unlink(path) != 0 && errno != ENOENT)
        die("%s: %s", path, strerror(errno));
}

/* Changes pct% of the corpus of count reports: a third of those reports
 * edited (one section rewritten), a third deleted, a third added with new
 * ids after the last one. The choice depends on seed, count and pct only. */
static void mutate(corpus_t *c, uint32_t count, double pct)
{
    uint64_t changes = (uint64_t)llround(count * pct / 100.0);
    if (changes == 0 && pct > 0 && count > 0)
        changes = 1;
    if (changes > count)
        changes = count;
    uint32_t nedit = (uint32_t)((changes + 2) / 3);
    uint32_t ndel = (uint32_t)((changes + 1) / 3);
    uint32_t nadd = (uint32_t)(changes / 3);

    rng_t r;
    rng_init(&r, c->seed, count, TAG_MUTATE, (uint64_t)llround(pct * 1e6));
    /* A partial Fisher-Yates shuffle picks distinct reports. */
    uint32_t *order = xmalloc((size_t)count * sizeof *order);
    for (uint32_t i = 0; i < count; i++)
        order[i] = i;
    for (uint32_t i = 0; i < nedit + ndel; i++) {
        uint32_t j = i + rng_below(&r, count - i);
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (uint32_t i = 0; i < nedit; i++)
        write_report(c, order[i], (int)rng_below(&r, SEC_NETWORKS));
    for (uint32_t i = nedit; i < nedit + ndel; i++)
        delete_report(c, order[i]);
    for (uint32_t i = 0; i < nadd; i++)
        write_report(c, count + i, -1);
    free(order);
    printf("gen-corpus: %u modified, %u deleted, %u added in %s\n", nedit, ndel,
           nadd, c->outdir);
}

static void make_dirs(const char *path)
{
    char dir[4096];
    size_t n = strlen(path);
    if (n >= sizeof dir)
        die("path too long: %s", path);
    memcpy(dir, path, n + 1);
    for (char *p = dir + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            make_dir(dir);
            *p = '/';
        }
    }
    make_dir(dir);
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: gen-corpus [--seed S] [--count N] [--langs en,es,...]\n"
        "                  [--mutate P] [--vocab DIR] OUTDIR\n"
        "Writes N (default 1000, at most %d) synthetic city reports as\n"
        "OUTDIR/<lang>/<nnn>/<id>.md; the same seed gives the same bytes.\n"
        "--mutate P: in a corpus written with the same seed, count and\n"
        "languages, edit, delete and add P%% of the reports (a third each).\n"
        "Languages:",
        MAX_COUNT);
    for (size_t i = 0; i < NLANG_INFO; i++)
        fprintf(f, " %s", LANG_INFO[i].code);
    fprintf(f, "\n");
}

static void select_langs(corpus_t *c, const char *list, const char *dir)
{
    bool want[NLANG_INFO] = {false};
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, ",");
        size_t i = 0;
        while (i < NLANG_INFO && (strlen(LANG_INFO[i].code) != n ||
                                  memcmp(LANG_INFO[i].code, p, n) != 0))
            i++;
        if (i == NLANG_INFO)
            die("unknown language: %.*s", (int)n, p);
        want[i] = true;
        p += n + (p[n] == ',');
    }
    c->langs = xmalloc(NLANG_INFO * sizeof *c->langs);
    c->lang_cdf = xmalloc(NLANG_INFO * sizeof *c->lang_cdf);
    c->nlangs = 0;
    double sum = 0;
    for (size_t i = 0; i < NLANG_INFO; i++) {
        if (list && !want[i])
            continue;
        load_lang(&c->langs[c->nlangs], &LANG_INFO[i], dir);
        sum += LANG_INFO[i].weight;
        c->lang_cdf[c->nlangs++] = sum;
    }
    if (!c->nlangs)
        die("no language selected");
}

static void free_corpus(corpus_t *c)
{
    for (size_t i = 0; i < c->nlangs; i++) {
        lang_t *l = &c->langs[i];
        free(l->text);
        free(l->caps);
        free(l->function.w);
        free(l->function.cdf);
        free(l->content.w);
        free(l->content.cdf);
        free(l->cities);
    }
    free(c->langs);
    free(c->lang_cdf);
    free(c->cities_text);
    free(c->cities);
    free(c->made_dirs);
    free(c->doc.p);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"seed", required_argument, NULL, 's'},
        {"count", required_argument, NULL, 'n'},
        {"langs", required_argument, NULL, 'l'},
        {"mutate", required_argument, NULL, 'm'},
        {"vocab", required_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    corpus_t c = {.seed = 1};
    unsigned long count = 1000;
    const char *langs = NULL, *vocab = GEN_CORPUS_VOCAB_DIR;
    double pct = -1;
    char *end;
    int opt;
    while ((opt = getopt_long(argc, argv, "s:n:l:m:v:h", options, NULL)) !=
           -1) {
        switch (opt) {
        case 's':
            errno = 0;
            c.seed = strtoull(optarg, &end, 0);
            if (errno || *end || !*optarg)
                die("bad --seed: %s", optarg);
            break;
        case 'n':
            errno = 0;
            count = strtoul(optarg, &end, 10);
            if (errno || *end || !*optarg || count > MAX_COUNT)
                die("bad --count (0 to %d): %s", MAX_COUNT, optarg);
            break;
        case 'l':
            langs = optarg;
            break;
        case 'm':
            pct = strtod(optarg, &end);
            if (*end || !*optarg || !(pct >= 0 && pct <= 100))
                die("bad --mutate (a percentage): %s", optarg);
            break;
        case 'v':
            vocab = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind + 1 != argc) {
        usage(stderr);
        return 2;
    }
    c.outdir = argv[optind];
    select_langs(&c, langs, vocab);
    load_cities(&c, vocab);
    make_dirs(c.outdir);
    /* Room for the ids --mutate adds after the last one. */
    c.nbuckets = (count + count / 3 + 1) / FILES_PER_DIR + 1;
    c.made_dirs = xmalloc(c.nlangs * c.nbuckets);
    memset(c.made_dirs, 0, c.nlangs * c.nbuckets);

    if (pct >= 0) {
        mutate(&c, (uint32_t)count, pct);
    } else {
        for (uint32_t i = 0; i < count; i++)
            write_report(&c, i, -1);
        printf("gen-corpus: %lu reports, %llu words in %s\n", count,
               (unsigned long long)c.words, c.outdir);
    }
    free_corpus(&c);
    return 0;
}

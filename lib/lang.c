/* lang.c — the language table and the stemmers.
 *
 * Snowball's stemmers are written for words spelt with their diacritics,
 * and some rules look for accented endings (Spanish -ción, Portuguese
 * -ções), which folded words no longer have. So before Snowball, an ending
 * that the language always writes accented gets its accents back (the
 * `before` tables). Index and queries stem the same folded form, so what
 * counts is that forms of one word meet: tests/lang checks that they do.
 */
#include "urbis/lang.h"

#include <libstemmer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lang_hunspell.h"
#include "urbis/text.h"

/* Replace a final `end` by `repl`. */
typedef struct rewrite {
    const char *end, *repl;
} rewrite_t;

/* Before Snowball: endings the language always writes accented. Spanish
 * nouns in -ión always carry the accent (their plural -iones does not). */
static const rewrite_t before_es[] = {
    {"logias", "logías"}, {"logia", "logía"}, {"ion", "ión"}, {NULL, NULL}};

static const rewrite_t before_pt[] = {
    {"ancia", "ância"}, {"ancias", "âncias"}, {"encia", "ência"},
    {"encias", "ências"}, {"avel", "ável"}, {"aveis", "áveis"},
    {"ivel", "ível"}, {"iveis", "íveis"}, {"cao", "ção"}, {"coes", "ções"},
    {"ao", "ão"}, {"aos", "ãos"}, {"oes", "ões"}, {"aes", "ães"},
    {NULL, NULL}};

static const rewrite_t before_ca[] = {
    {"ancia", "ància"}, {"ancies", "àncies"}, {"encia", "ència"},
    {"encies", "ències"}, {"cio", "ció"}, {"sio", "sió"}, {NULL, NULL}};

/* French feminine participles (réfugiée, -ées) fold to -ee(s), which
 * Snowball would cut apart from the masculine, whose -é folded to -e. */
static const rewrite_t before_fr[] = {{"ee", "e"}, {"ees", "e"}, {NULL, NULL}};

/* After Snowball: a nasal vowel it leaves (migraçã, migraçõ). */
static const rewrite_t after_pt[] = {{"ã", ""}, {"õ", ""}, {NULL, NULL}};

/* After Hunspell, on its lemma (or on a word it does not know): the
 * inflectional ending, so that the lemmas Hunspell hesitates between
 * (polityka, polityk; біженець, біженка) and unknown words' forms meet.
 * Fleeting vowels go too (rynek, rynku; біженець, біженці). */
static const rewrite_t after_pl[] = {
    {"owie", ""}, {"ami", ""}, {"ach", ""}, {"iem", ""}, {"ego", ""},
    {"emu", ""},  {"ymi", ""}, {"imi", ""}, {"ych", ""}, {"ich", ""},
    {"owi", ""},  {"om", ""},  {"ow", ""},  {"em", ""},  {"ej", ""},
    {"ym", ""},   {"im", ""},  {"ie", ""},  {"ia", ""},  {"ii", ""},
    {"iu", ""},   {"ek", "k"}, {"ec", "c"}, {"a", ""},   {"e", ""},
    {"i", ""},    {"o", ""},   {"u", ""},   {"y", ""},   {NULL, NULL}};

static const rewrite_t after_uk[] = {
    {"ами", ""}, {"ями", ""}, {"ові", ""}, {"еві", ""}, {"єві", ""},
    {"ого", ""}, {"ому", ""}, {"ими", ""}, {"іми", ""}, {"ець", "ц"},
    {"ій", ""},  {"ий", ""},  {"их", ""},  {"им", ""},  {"ої", ""},
    {"ою", ""},  {"ею", ""},  {"єю", ""},  {"ів", ""},  {"їв", ""},
    {"ах", ""},  {"ях", ""},  {"ам", ""},  {"ям", ""},  {"ом", ""},
    {"ем", ""},  {"єм", ""},  {"а", ""},   {"я", ""},   {"о", ""},
    {"е", ""},   {"є", ""},   {"у", ""},   {"ю", ""},   {"і", ""},
    {"ї", ""},   {"и", ""},   {"ь", ""},   {NULL, NULL}};

/* Bulgarian lemmas and unknown words: the article goes with the ending
 * (градовете, децата, детето). */
static const rewrite_t after_bg[] = {
    {"ията", ""}, {"овете", ""}, {"евете", ""}, {"ите", ""}, {"ата", ""},
    {"ото", ""},  {"ето", ""},   {"ете", ""},   {"ове", ""}, {"еве", ""},
    {"ища", ""},  {"ия", ""},    {"ът", ""},    {"ят", ""},  {"ец", "ц"},
    {"а", ""},    {"я", ""},     {"о", ""},     {"е", ""},   {"и", ""},
    {"у", ""},    {"ю", ""},     {NULL, NULL}};

enum {
    /* Snowball's stem may hold letters that folding removes: ones it
     * writes (Turkish c -> ç) or ones a `before` rewrite put back. */
    LANG_REFOLD = 1,
    /* Stem the stem again: Turkish suffixes stack deeper than Snowball's
     * one pass peels (mülteciler -> multeci -> multec, as mülteci). */
    LANG_TWICE = 2,
};

typedef struct lang {
    const char *code, *name;
    const char *snowball;    /* libstemmer algorithm, or NULL */
    const char *hunspell;    /* Hunspell dictionary, or NULL */
    const rewrite_t *before; /* on the folded word, before Snowball */
    const rewrite_t *after;  /* on Snowball's stem or Hunspell's lemma */
    unsigned flags;
} lang_t;

/* Sorted by code. Languages without a stemmer are known for
 * identification and display. */
#define LANGS(X)                                                            \
    X("ar", "Arabic", "arabic", NULL, NULL, NULL, 0)                        \
    X("bg", "Bulgarian", NULL, "bg_BG", NULL, after_bg, 0)                  \
    X("ca", "Catalan", "catalan", NULL, before_ca, NULL, LANG_REFOLD)       \
    X("cs", "Czech", NULL, NULL, NULL, NULL, 0)                             \
    X("da", "Danish", "danish", NULL, NULL, NULL, 0)                        \
    X("de", "German", "german", NULL, NULL, NULL, 0)                        \
    X("el", "Greek", "greek", NULL, NULL, NULL, 0)                          \
    X("en", "English", "english", NULL, NULL, NULL, 0)                      \
    X("es", "Spanish", "spanish", NULL, before_es, NULL, LANG_REFOLD)       \
    X("et", "Estonian", NULL, NULL, NULL, NULL, 0)                          \
    X("eu", "Basque", "basque", NULL, NULL, NULL, 0)                        \
    X("fa", "Persian", NULL, NULL, NULL, NULL, 0)                           \
    X("fi", "Finnish", "finnish", NULL, NULL, NULL, 0)                      \
    X("fr", "French", "french", NULL, before_fr, NULL, 0)                   \
    X("ga", "Irish", "irish", NULL, NULL, NULL, 0)                          \
    X("he", "Hebrew", NULL, NULL, NULL, NULL, 0)                            \
    X("hi", "Hindi", "hindi", NULL, NULL, NULL, 0)                          \
    X("hr", "Croatian", NULL, NULL, NULL, NULL, 0)                          \
    X("hu", "Hungarian", "hungarian", NULL, NULL, NULL, 0)                  \
    X("hy", "Armenian", "armenian", NULL, NULL, NULL, 0)                    \
    X("id", "Indonesian", "indonesian", NULL, NULL, NULL, 0)                \
    X("it", "Italian", "italian", NULL, NULL, NULL, 0)                      \
    X("ja", "Japanese", NULL, NULL, NULL, NULL, 0)                          \
    X("ko", "Korean", NULL, NULL, NULL, NULL, 0)                            \
    X("lt", "Lithuanian", "lithuanian", NULL, NULL, NULL, 0)                \
    X("lv", "Latvian", NULL, NULL, NULL, NULL, 0)                           \
    X("ne", "Nepali", "nepali", NULL, NULL, NULL, 0)                        \
    X("nl", "Dutch", "dutch", NULL, NULL, NULL, 0)                          \
    X("no", "Norwegian", "norwegian", NULL, NULL, NULL, 0)                  \
    X("pl", "Polish", NULL, "pl_PL", NULL, after_pl, 0)                     \
    X("pt", "Portuguese", "portuguese", NULL, before_pt, after_pt,          \
      LANG_REFOLD)                                                          \
    X("ro", "Romanian", "romanian", NULL, NULL, NULL, 0)                    \
    X("ru", "Russian", "russian", NULL, NULL, NULL, 0)                      \
    X("sk", "Slovak", NULL, NULL, NULL, NULL, 0)                            \
    X("sl", "Slovenian", NULL, NULL, NULL, NULL, 0)                         \
    X("sq", "Albanian", NULL, NULL, NULL, NULL, 0)                          \
    X("sr", "Serbian", "serbian", NULL, NULL, NULL, 0)                      \
    X("sv", "Swedish", "swedish", NULL, NULL, NULL, 0)                      \
    X("ta", "Tamil", "tamil", NULL, NULL, NULL, 0)                          \
    X("th", "Thai", NULL, NULL, NULL, NULL, 0)                              \
    X("tr", "Turkish", "turkish", NULL, NULL, NULL, LANG_REFOLD | LANG_TWICE) \
    X("uk", "Ukrainian", NULL, "uk_UA", NULL, after_uk, 0)                  \
    X("vi", "Vietnamese", NULL, NULL, NULL, NULL, 0)                        \
    X("yi", "Yiddish", "yiddish", NULL, NULL, NULL, 0)                      \
    X("zh", "Chinese", NULL, NULL, NULL, NULL, 0)

#define LANG_CODE(code, ...) code,
#define LANG_ENTRY(code, name, sb, hs, before, after, flags) \
    {code, name, sb, hs, before, after, flags},

const char *const urb_lang_codes[] = {LANGS(LANG_CODE) NULL};
static const lang_t langs[] = {LANGS(LANG_ENTRY)};

static int lang_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const lang_t *)elem)->code);
}

static const lang_t *lang_find(const char *code)
{
    if (!code)
        return NULL;
    return bsearch(code, langs, sizeof langs / sizeof langs[0],
                   sizeof langs[0], lang_cmp);
}

bool urb_lang_known(const char *code)
{
    return lang_find(code) != NULL;
}

const char *urb_lang_name(const char *code)
{
    const lang_t *l = lang_find(code);
    return l ? l->name : NULL;
}

const char *urb_lang_code(const char *tag)
{
    /* Old or variant codes of languages in the table. */
    static const char *const aliases[][2] = {
        {"in", "id"}, {"iw", "he"}, {"ji", "yi"}, {"nb", "no"}, {"nn", "no"}};
    if (!tag || strcspn(tag, "-_") != 2)
        return NULL;
    char code[3] = {0};
    for (int i = 0; i < 2; i++) {
        char c = tag[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c < 'a' || c > 'z')
            return NULL;
        code[i] = c;
    }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(code, aliases[i][0]) == 0)
            memcpy(code, aliases[i][1], 2);
    const lang_t *l = lang_find(code);
    return l ? l->code : NULL;
}

/* ---- Stemmers ---------------------------------------------------------- */

/* Hunspell takes 10-30 us a word under a lock shared by all threads,
 * Snowball ~1 us; running text repeats its words, and completion stems
 * its candidates in every indexed language at each keystroke: a cache of
 * recent words' stems per stemmer skips both. 4-way set-associative, so
 * that two frequent words whose hashes collide do not evict each other
 * for ever. 8,192 words
 * (768 KB, allocated on first use): a query worker's stemmer serves both
 * query words and snippet text, and with 1,024 the text evicted the
 * query words a busy server sees again and again. */
enum { CACHE_SETS = 2048, CACHE_WAYS = 4, CACHE_BYTES = 47 };

typedef struct cache_slot {
    unsigned char wlen, slen; /* wlen 0: empty */
    char word[CACHE_BYTES], stem[CACHE_BYTES + 1];
} cache_slot_t;

typedef struct cache_set {
    cache_slot_t way[CACHE_WAYS];
    unsigned char next; /* the way to replace next */
} cache_set_t;

struct urb_stemmer {
    const lang_t *lang;
    struct sb_stemmer *sb; /* Snowball languages */
    urb_hunspell_t *hs;    /* Hunspell languages */
    cache_set_t *cache;    /* allocated on first use */
    urb_buf_t word;        /* the word rewritten, or NUL-terminated */
    urb_buf_t lemmas;      /* Hunspell's lemmas, each NUL-terminated */
    urb_buf_t cand;        /* a lemma rewritten */
    urb_buf_t out;         /* results not in Snowball's own buffer */
};

urb_stemmer_t *urb_stemmer_new(const char *code)
{
    const lang_t *l = lang_find(code);
    if (!l || (!l->snowball && !l->hunspell))
        return NULL;
    urb_stemmer_t *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->lang = l;
    if (l->snowball)
        st->sb = sb_stemmer_new(l->snowball, "UTF_8");
    else
        st->hs = urb_hunspell_get(l->hunspell);
    if (!st->sb && !st->hs) {
        free(st);
        return NULL;
    }
    return st;
}

void urb_stemmer_free(urb_stemmer_t *st)
{
    if (!st)
        return;
    if (st->sb)
        sb_stemmer_delete(st->sb);
    free(st->cache);
    urb_buf_free(&st->word);
    urb_buf_free(&st->lemmas);
    urb_buf_free(&st->cand);
    urb_buf_free(&st->out);
    free(st);
}

static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* Rewrites into out the longest ending of w that leaves at least `keep`
 * characters before it. 1 if rewritten, 0 if no rule applies, -1 on OOM. */
static int rewrite(const rewrite_t *rules, size_t keep, const char *w,
                   size_t len, urb_buf_t *out)
{
    const rewrite_t *best = NULL;
    size_t blen = 0;
    for (const rewrite_t *r = rules; r && r->end; r++) {
        size_t n = strlen(r->end);
        if (n > blen && n <= len && memcmp(w + len - n, r->end, n) == 0 &&
            utf8_chars(w, len - n) >= keep) {
            best = r;
            blen = n;
        }
    }
    if (!best)
        return 0;
    out->len = 0;
    if (urb_buf_append(out, w, len - blen) < 0 ||
        urb_buf_append(out, best->repl, strlen(best->repl)) < 0)
        return -1;
    return 1;
}

/* Characters that must stay before an ending rewritten before stemming
 * (ação keeps its a), and after (a stem of one letter says too little). */
enum { KEEP_BEFORE = 1, KEEP_AFTER = 2 };

static bool is_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

static const char *snowball_stem(urb_stemmer_t *st, const char *w, size_t len,
                                 size_t *out_len)
{
    const lang_t *l = st->lang;
    int r = rewrite(l->before, KEEP_BEFORE, w, len, &st->word);
    if (r < 0)
        return NULL;
    if (r > 0) {
        w = st->word.data;
        len = st->word.len;
    }
    int passes = l->flags & LANG_TWICE ? 2 : 1;
    for (int pass = 0; pass < passes; pass++) {
        /* Snowball copies its input, so w may point into our buffers. */
        const sb_symbol *s = sb_stemmer_stem(st->sb, (const sb_symbol *)w,
                                             (int)len);
        if (!s)
            return NULL;
        w = (const char *)s;
        len = (size_t)sb_stemmer_length(st->sb);
        if ((r = rewrite(l->after, KEEP_AFTER, w, len, &st->word)) < 0)
            return NULL;
        if (r > 0) {
            w = st->word.data;
            len = st->word.len;
        }
        if ((l->flags & LANG_REFOLD) && !is_ascii(w, len)) {
            if (urb_fold(w, len, &st->out) < 0)
                return NULL;
            w = st->out.data;
            len = st->out.len;
        }
    }
    *out_len = len;
    return w;
}

static size_t common_prefix(const char *a, size_t alen, const char *b,
                            size_t blen)
{
    size_t n = 0;
    while (n < alen && n < blen && a[n] == b[n])
        n++;
    return n;
}

/* Is candidate c a better stem for the word w than best? Forms of one
 * word must pick alike, so the shorter wins; then the one closer to the
 * word (біженці is біженець's plural, not біженка's); then byte order. */
static bool better(const urb_buf_t *c, const urb_buf_t *best, const char *w,
                   size_t len)
{
    if (c->len != best->len)
        return c->len < best->len;
    size_t pc = common_prefix(c->data, c->len, w, len);
    size_t pb = common_prefix(best->data, best->len, w, len);
    if (pc != pb)
        return pc > pb;
    return memcmp(c->data, best->data, c->len) < 0;
}

/* w cut by the language's endings into out (copied when none applies). */
static int cut(const rewrite_t *after, const char *w, size_t len,
               urb_buf_t *out)
{
    int r = rewrite(after, KEEP_AFTER, w, len, out);
    if (r != 0)
        return r;
    out->len = 0;
    return urb_buf_append(out, w, len);
}

/* Hunspell's lemmas, each cut by the language's endings; the best of them
 * (see better()). A word Hunspell does not know is cut itself. */
static int hunspell_lemma_stem(urb_stemmer_t *st, const char *w, size_t len)
{
    const rewrite_t *after = st->lang->after;
    st->word.len = 0;
    if (urb_buf_append(&st->word, w, len) < 0)
        return -1;
    int n = urb_hunspell_lemmas(st->hs, st->word.data, &st->lemmas);
    if (n <= 0)
        return n < 0 ? -1 : cut(after, w, len, &st->out);
    const char *lemma = st->lemmas.data;
    for (int i = 0; i < n; i++, lemma += strlen(lemma) + 1) {
        if (cut(after, lemma, strlen(lemma), &st->cand) < 0)
            return -1;
        if (i == 0 || better(&st->cand, &st->out, w, len)) {
            urb_buf_t t = st->out;
            st->out = st->cand;
            st->cand = t;
        }
    }
    return 0;
}

const char *urb_stem(urb_stemmer_t *st, const char *w, size_t len,
                     size_t *out_len)
{
    /* Longer is no word: kept as it is (and Snowball takes an int). */
    if (len > URB_TERM_MAX) {
        st->word.len = 0;
        if (urb_buf_append(&st->word, w, len) < 0)
            return NULL;
        *out_len = len;
        return st->word.data;
    }
    if (!st->cache && !(st->cache = calloc(CACHE_SETS, sizeof *st->cache)))
        return NULL;
    cache_set_t *set = &st->cache[urb_fnv1a(URB_FNV_SEED, w, len) % CACHE_SETS];
    for (int i = 0; i < CACHE_WAYS; i++) {
        cache_slot_t *slot = &set->way[i];
        if (slot->wlen == len && memcmp(slot->word, w, len) == 0) {
            *out_len = slot->slen;
            return slot->stem;
        }
    }
    const char *s;
    if (st->sb) {
        s = snowball_stem(st, w, len, out_len);
    } else if (hunspell_lemma_stem(st, w, len) >= 0) {
        s = st->out.data;
        *out_len = st->out.len;
    } else {
        s = NULL;
    }
    if (s && len <= CACHE_BYTES && *out_len <= CACHE_BYTES) {
        cache_slot_t *slot = &set->way[set->next];
        set->next = (unsigned char)((set->next + 1) % CACHE_WAYS);
        slot->wlen = (unsigned char)len;
        slot->slen = (unsigned char)*out_len;
        memcpy(slot->word, w, len);
        memcpy(slot->stem, s, *out_len);
        slot->stem[*out_len] = '\0';
    }
    return s;
}

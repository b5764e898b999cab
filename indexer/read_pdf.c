/* read_pdf.c — PDF through poppler-glib: the text of every page, the title
 * from the metadata or else from the text.
 *
 * A PDF has no markup, but it has type sizes: text set larger than the
 * body (the size most characters have) is a heading, so the first one is
 * the title when the metadata has none, and the others start sections.
 * With one size throughout, the first line is the title. */
#include <poppler.h>
#include <pthread.h>
#include <string.h>

#include "reader.h"

/* How far from either end the header and the end-of-file marker may be. */
#define MARK_WINDOW 1024
/* Headings are this much larger than the body, and no longer than this. */
#define HEADING_RATIO 1.1
#define HEADING_MAX_CHARS 300
#define MAX_SIZES 64

/* poppler-glib is not documented thread-safe, and it sets up process-wide
 * state (GlobalParams) lazily on the first document: one PDF at a time. */
static pthread_mutex_t poppler_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct page {
    char *text;     /* g_free */
    GList *attrs;   /* poppler_page_free_text_attributes */
} page_t;

typedef struct sizes {
    double size[MAX_SIZES];
    long chars[MAX_SIZES];
    int n;
} sizes_t;

static bool has_mark(const char *s, size_t n, const char *mark)
{
    return memmem(s, n, mark, strlen(mark)) != NULL;
}

/* Poppler rebuilds a damaged file as best it can and would index what is
 * left of a cut one without a word: a file must look whole first. */
static int check_whole(urb_rdoc_t *d, const char *data, size_t len)
{
    size_t w = len < MARK_WINDOW ? len : MARK_WINDOW;
    if (!has_mark(data, w, "%PDF-"))
        return urb_rdoc_fail(d, "not a PDF (no %%PDF- header)");
    if (!has_mark(data + len - w, w, "%%EOF"))
        return urb_rdoc_fail(d, "truncated PDF (no %%%%EOF at its end)");
    return 0;
}

static void count_sizes(sizes_t *sz, GList *attrs)
{
    for (GList *l = attrs; l; l = l->next) {
        const PopplerTextAttributes *a = l->data;
        int i = 0;
        while (i < sz->n && (sz->size[i] - a->font_size > 0.05 ||
                             a->font_size - sz->size[i] > 0.05))
            i++;
        if (i == sz->n) {
            if (sz->n == MAX_SIZES)
                continue;
            sz->size[sz->n] = a->font_size;
            sz->chars[sz->n++] = 0;
        }
        sz->chars[i] += a->end_index - a->start_index + 1;
    }
}

static double body_size(const sizes_t *sz)
{
    int best = 0;
    for (int i = 1; i < sz->n; i++)
        if (sz->chars[i] > sz->chars[best])
            best = i;
    return sz->n ? sz->size[best] : 0;
}

/* Appends a heading's text with its line breaks as spaces. */
static int heading_text(urb_buf_t *h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i] == '\n' || s[i] == '\r' ? ' ' : s[i];
        if (c == ' ' && (!h->len || h->data[h->len - 1] == ' '))
            continue;
        if (urb_buf_append(h, &c, 1) < 0)
            return -1;
    }
    return 0;
}

static int flush_heading(urb_rdoc_t *d, urb_buf_t *h)
{
    if (!h->len)
        return 0;
    char *s = urb_rdoc_dup(d, h->data, h->len);
    size_t n = h->len;
    h->len = 0;
    return s ? urb_rdoc_heading(d, s, n) : urb_rdoc_fail(d, "out of memory");
}

/* One page's text, its larger runs as headings: h collects the heading
 * being read, in type of size *h_size. */
static int add_page(urb_rdoc_t *d, const page_t *pg, double body,
                    urb_buf_t *h, double *h_size)
{
    const char *p = pg->text, *end = p + strlen(p);
    long at = 0; /* character index of p */
    if (urb_rdoc_para(d) < 0)
        return -1;
    for (GList *l = pg->attrs; l; l = l->next) {
        const PopplerTextAttributes *a = l->data;
        if (a->start_index < at || a->end_index < a->start_index)
            continue;
        const char *s = p;
        for (; at < a->start_index && s < end; at++)
            s = g_utf8_next_char(s);
        const char *e = s;
        for (; at <= a->end_index && e < end; at++)
            e = g_utf8_next_char(e);
        long chars = a->end_index - a->start_index + 1;
        bool heading = a->font_size > body * HEADING_RATIO &&
                       chars <= HEADING_MAX_CHARS;
        /* A change of size ends a heading: a title, then a section's. */
        bool same = a->font_size - *h_size < 0.05 &&
                    *h_size - a->font_size < 0.05;
        if ((!heading || !same) && flush_heading(d, h) < 0)
            return -1;
        *h_size = a->font_size;
        /* What no run covers goes with the run after it. */
        if (heading ? heading_text(h, p, (size_t)(e - p)) < 0
                    : urb_rdoc_text(d, p, (size_t)(e - p)) < 0)
            return urb_rdoc_fail(d, "out of memory");
        p = e;
    }
    if (flush_heading(d, h) < 0)
        return -1;
    return urb_rdoc_text(d, p, (size_t)(end - p));
}

static int read_pages(urb_rdoc_t *d, PopplerDocument *doc)
{
    int np = poppler_document_get_n_pages(doc);
    page_t *pages = np > 0 ? g_new0(page_t, np) : NULL;
    sizes_t sz = {.n = 0};
    int rc = 0;
    for (int i = 0; i < np && rc == 0; i++) {
        PopplerPage *page = poppler_document_get_page(doc, i);
        if (!page)
            continue;
        pages[i].text = poppler_page_get_text(page);
        if (pages[i].text && !urb_utf8_valid(pages[i].text,
                                             strlen(pages[i].text), NULL))
            rc = urb_rdoc_fail(d, "page %d: text is not UTF-8", i + 1);
        else if (pages[i].text)
            pages[i].attrs = poppler_page_get_text_attributes(page);
        count_sizes(&sz, pages[i].attrs);
        g_object_unref(page);
    }
    double body = body_size(&sz);
    urb_buf_t h = {0};
    double h_size = 0;
    for (int i = 0; i < np && rc == 0; i++)
        if (pages[i].text)
            rc = add_page(d, &pages[i], body, &h, &h_size);
    urb_buf_free(&h);
    for (int i = 0; i < np; i++) {
        g_free(pages[i].text);
        poppler_page_free_text_attributes(pages[i].attrs);
    }
    g_free(pages);
    return rc;
}

static int read_locked(urb_rdoc_t *d, const char *data, size_t len)
{
    GError *err = NULL;
    GBytes *bytes = g_bytes_new_static(data, len);
    PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &err);
    g_bytes_unref(bytes);
    if (!doc) {
        int rc = urb_rdoc_fail(d, "broken PDF (%s)",
                               err ? err->message : "poppler cannot open it");
        g_clear_error(&err);
        return rc;
    }
    int rc = 0;
    char *title = poppler_document_get_title(doc);
    if (title && urb_utf8_valid(title, strlen(title), NULL)) {
        size_t tl = strlen(title);
        char *t = urb_rdoc_dup(d, title, tl);
        if (t)
            d->r.title = (urb_str_t){t, tl};
        else
            rc = urb_rdoc_fail(d, "out of memory");
    }
    g_free(title);
    if (rc == 0)
        rc = read_pages(d, doc);
    g_object_unref(doc);
    return rc;
}

/* Without a title from the metadata or the type, the first line is the
 * title and no longer part of the text. */
static int title_from_text(urb_rdoc_t *d)
{
    urb_buf_t *t = &d->text;
    if (d->r.title.n || !t->len || d->r.n_sections)
        return 0;
    size_t start = 0;
    while (start < t->len && (t->data[start] == '\n' || t->data[start] == ' '))
        start++;
    const char *nl = memchr(t->data + start, '\n', t->len - start);
    size_t end = nl ? (size_t)(nl - t->data) : t->len;
    char *title = urb_rdoc_dup(d, t->data + start, end - start);
    if (!title)
        return urb_rdoc_fail(d, "out of memory");
    d->r.title = (urb_str_t){title, end - start};
    while (end < t->len && (t->data[end] == '\n' || t->data[end] == ' '))
        end++;
    memmove(t->data, t->data + end, t->len - end);
    t->len -= end;
    t->data[t->len] = '\0';
    return 0;
}

static int read_pdf(urb_rdoc_t *d, const char *data, size_t len)
{
    if (check_whole(d, data, len) < 0)
        return -1;
    pthread_mutex_lock(&poppler_lock);
    int rc = read_locked(d, data, len);
    pthread_mutex_unlock(&poppler_lock);
    return rc < 0 ? -1 : title_from_text(d);
}

const urb_reader_t urb_reader_pdf = {"pdf", false, read_pdf};

/* read_html.c — HTML through Gumbo: <title>, <html lang>, <meta> fields,
 * h1-h6 as section headings, and the body's text without what is not
 * the report (scripts, styles, navigation, page header and footer). */
#include <gumbo.h>
#include <string.h>
#include <strings.h>

#include "reader.h"

typedef struct walk {
    urb_rdoc_t *d;
    urb_buf_t heading;   /* text of the heading being read */
    int in_heading;      /* depth of nested h1-h6 */
    bool space;          /* white space seen since the last word */
    bool has_title;
} walk_t;

static bool skipped(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NAV:
    case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER: case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
        return true;
    default:
        return false;
    }
}

static bool heading(GumboTag t)
{
    return t >= GUMBO_TAG_H1 && t <= GUMBO_TAG_H6;
}

/* Elements whose text must not run into their neighbours'. */
static bool block(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_LI:
    case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_DL:
    case GUMBO_TAG_DT: case GUMBO_TAG_DD: case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TR: case GUMBO_TAG_TD: case GUMBO_TAG_TH:
    case GUMBO_TAG_CAPTION: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE: case GUMBO_TAG_MAIN: case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE: case GUMBO_TAG_FIGURE: case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_HR: case GUMBO_TAG_FORM:
    case GUMBO_TAG_FIELDSET: case GUMBO_TAG_BODY:
        return true;
    default:
        return false;
    }
}

static bool ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Appends s[0..n) to out with white space collapsed to single spaces,
 * none at the start of a line, and any broken UTF-8 from Gumbo replaced
 * (see attr_field). */
static int collapse(walk_t *w, urb_buf_t *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        if (ws(s[i])) {
            w->space = true;
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && !ws(s[j]))
            j++;
        bool at_start = !out->len || out->data[out->len - 1] == '\n';
        if ((w->space && !at_start && urb_buf_append(out, " ", 1) < 0) ||
            urb_buf_append_utf8(out, s + i, j - i) < 0)
            return urb_rdoc_fail(w->d, "out of memory");
        w->space = false;
        i = j;
    }
    return 0;
}

static int emit(walk_t *w, const char *s, size_t n)
{
    return collapse(w, w->in_heading ? &w->heading : &w->d->text, s, n);
}

/* An attribute value as a report field. Gumbo 0.10 computes a numeric
 * character reference in a signed int: a long one (&#x1F600BBBBBBBBB)
 * overflows and can come out as a stray byte, so its text is checked. */
static int attr_field(urb_rdoc_t *d, const char *key, const char *value)
{
    urb_buf_t b = {0};
    char *v = urb_buf_append_utf8(&b, value, strlen(value)) == 0
                  ? urb_rdoc_dup(d, b.data, b.len)
                  : NULL;
    size_t vl = b.len;
    urb_buf_free(&b);
    if (!v)
        return urb_rdoc_fail(d, "out of memory");
    return urb_rdoc_field(d, (urb_str_t){key, strlen(key)}, (urb_str_t){v, vl});
}

/* The text of <title>, collapsed: RCDATA, so text nodes only. */
static int title_text(walk_t *w, const GumboNode *n, urb_buf_t *out)
{
    const GumboVector *c = &n->v.element.children;
    for (size_t i = 0; i < c->length; i++) {
        const GumboNode *t = c->data[i];
        if ((t->type == GUMBO_NODE_TEXT || t->type == GUMBO_NODE_WHITESPACE) &&
            collapse(w, out, t->v.text.text, strlen(t->v.text.text)) < 0)
            return -1;
    }
    w->space = false;
    return 0;
}

static int head_element(walk_t *w, const GumboNode *n)
{
    urb_rdoc_t *d = w->d;
    const GumboElement *e = &n->v.element;
    if (e->tag == GUMBO_TAG_TITLE && !w->has_title) {
        urb_buf_t t = {0};
        int rc = title_text(w, n, &t);
        char *s = rc == 0 ? urb_rdoc_dup(d, t.data ? t.data : "", t.len) : NULL;
        urb_buf_free(&t);
        if (!s)
            return rc < 0 ? -1 : urb_rdoc_fail(d, "out of memory");
        d->r.title = (urb_str_t){s, strlen(s)};
        w->has_title = d->r.title.n > 0;
        return 0;
    }
    if (e->tag != GUMBO_TAG_META)
        return 0;
    static const char *const names[] = {"city", "country", "year", "networks"};
    const GumboAttribute *name = gumbo_get_attribute(&e->attributes, "name");
    const GumboAttribute *content =
        gumbo_get_attribute(&e->attributes, "content");
    if (!name || !content)
        return 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(name->value, names[i]) == 0)
            return attr_field(d, names[i], content->value);
    }
    return 0;
}

/* The <head>: title and meta, wherever the parser put them. */
static int read_head(walk_t *w, const GumboNode *head)
{
    const GumboVector *c = &head->v.element.children;
    for (size_t i = 0; i < c->length; i++) {
        const GumboNode *n = c->data[i];
        if (n->type == GUMBO_NODE_ELEMENT && head_element(w, n) < 0)
            return -1;
    }
    return 0;
}

static int enter(walk_t *w, const GumboNode *n, bool *descend)
{
    *descend = false;
    switch (n->type) {
    case GUMBO_NODE_TEXT: case GUMBO_NODE_CDATA: case GUMBO_NODE_WHITESPACE:
        return emit(w, n->v.text.text, strlen(n->v.text.text));
    case GUMBO_NODE_ELEMENT: case GUMBO_NODE_TEMPLATE:
        break;
    default:
        return 0;
    }
    GumboTag t = n->v.element.tag;
    if (t == GUMBO_TAG_HEAD)
        return read_head(w, n);
    if (skipped(t))
        return 0;
    if (t == GUMBO_TAG_TITLE || t == GUMBO_TAG_META)
        return head_element(w, n);
    *descend = true;
    if (t == GUMBO_TAG_BR) {
        w->space = w->in_heading > 0;
        return w->in_heading ? 0 : urb_rdoc_text(w->d, "\n", 1);
    }
    if (heading(t) && w->in_heading++ == 0) {
        w->heading.len = 0;
        w->space = false;
    } else if (block(t) && !w->in_heading) {
        w->space = false;
        return urb_rdoc_para(w->d);
    }
    return 0;
}

static int leave(walk_t *w, const GumboNode *n)
{
    if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE)
        return 0;
    GumboTag t = n->v.element.tag;
    if (heading(t) && --w->in_heading == 0) {
        w->space = false;
        char *h = urb_rdoc_dup(w->d, w->heading.data ? w->heading.data : "",
                               w->heading.len);
        return h ? urb_rdoc_heading(w->d, h, w->heading.len)
                 : urb_rdoc_fail(w->d, "out of memory");
    }
    if (block(t) && !w->in_heading) {
        w->space = false;
        return urb_rdoc_para(w->d);
    }
    return 0;
}

/* Document order without recursion: nesting depth is the file's to
 * choose, the stack is not. */
static int walk_tree(walk_t *w, const GumboNode *root)
{
    const GumboNode *n = root;
    for (;;) {
        bool descend;
        if (enter(w, n, &descend) < 0)
            return -1;
        if (descend && n->v.element.children.length) {
            n = n->v.element.children.data[0];
            continue;
        }
        if (descend && leave(w, n) < 0)
            return -1;
        for (;;) {
            if (n == root)
                return 0;
            const GumboNode *p = n->parent;
            size_t next = n->index_within_parent + 1;
            if (next < p->v.element.children.length) {
                n = p->v.element.children.data[next];
                break;
            }
            n = p;
            if (leave(w, n) < 0)
                return -1;
        }
    }
}

static int read_html(urb_rdoc_t *d, const char *data, size_t len)
{
    const char *s;
    size_t n;
    if (urb_rdoc_decode(d, data, len, &s, &n) < 0)
        return -1;
    GumboOptions opt = kGumboDefaultOptions;
    opt.max_errors = 0;
    GumboOutput *out = gumbo_parse_with_options(&opt, s, n);
    if (!out)
        return urb_rdoc_fail(d, "out of memory");
    walk_t w = {.d = d};
    const GumboNode *root = out->root;
    int rc = 0;
    if (root->type == GUMBO_NODE_ELEMENT) {
        const GumboAttribute *lang =
            gumbo_get_attribute(&root->v.element.attributes, "lang");
        if (lang && *lang->value)
            rc = attr_field(d, "lang", lang->value);
    }
    if (rc == 0)
        rc = walk_tree(&w, root);
    urb_buf_free(&w.heading);
    gumbo_destroy_output(&opt, out);
    return rc;
}

const urb_reader_t urb_reader_html = {"html", true, read_html};

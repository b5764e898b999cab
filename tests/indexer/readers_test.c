/* The readers, called directly on file contents. */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "reader.h"
#include "test.h"

static urb_rdoc_t doc;

/* Parses data as the file rel; 0 or -1 as urb_read. */
static int rd(const char *rel, const char *data, size_t len)
{
    const urb_reader_t *r = urb_reader_for(rel);
    if (!r) {
        fprintf(stderr, "no reader for %s\n", rel);
        return -1;
    }
    return urb_read(&doc, r, rel, data, len);
}

static int rds(const char *rel, const char *text)
{
    return rd(rel, text, strlen(text));
}

/* A slice as a NUL-terminated string (static, one at a time per slot). */
static const char *s(urb_str_t v)
{
    static char buf[4][4096];
    static int slot;
    char *b = buf[slot++ % 4];
    size_t n = v.n < 4095 ? v.n : 4095;
    memcpy(b, v.p ? v.p : "", n);
    b[n] = '\0';
    return b;
}

static bool text_has(const char *needle)
{
    return doc.r.text.p && memmem(doc.r.text.p, doc.r.text.n, needle,
                                  strlen(needle)) != NULL;
}

/* The body of section i, up to the next section. */
static const char *section_body(size_t i)
{
    size_t end = i + 1 < doc.r.n_sections ? doc.r.sections[i + 1].offset
                                          : doc.r.text.n;
    size_t at = doc.r.sections[i].offset;
    return s((urb_str_t){doc.r.text.p + at, end - at});
}

static const char valencia[] =
    "---\n"
    "id: valencia-en\n"
    "title: Developing an ambitious approach\n"
    "city: Valencia\n"
    "country: ES\n"
    "lang: en\n"
    "year: 2023\n"
    "networks: Eurocities, Intercultural Cities,  Solidarity Cities\n"
    "source: https://example.org/reports/valencia.pdf\n"
    "population: about 800,000\n"
    "region: \"Valencian Community\"\n"
    "---\n"
    "\n"
    "# Developing an ambitious approach\n"
    "\n"
    "## Key takeaways\n"
    "\n"
    "Valencia built most of its policy\n"
    "within a decade.\n"
    "\n"
    "A second paragraph.\n"
    "\n"
    "## What is unique\n"
    "\n"
    "In June 2018 the city offered its port.\n";

static void md_front_matter(void)
{
    CHECK(rds("es/valencia-en.md", valencia) == 0);
    const urb_report_t *r = &doc.r;
    CHECK_STR(s(r->id), "valencia-en");
    CHECK_STR(s(r->title), "Developing an ambitious approach");
    CHECK_STR(s(r->city), "Valencia");
    CHECK_STR(s(r->country), "ES");
    CHECK_STR(s(r->lang), "en");
    CHECK_STR(s(r->source), "https://example.org/reports/valencia.pdf");
    CHECK_STR(s(r->path), "es/valencia-en.md");
    CHECK(r->year == 2023);
    CHECK(r->n_networks == 3);
    CHECK_STR(s(r->networks[0]), "Eurocities");
    CHECK_STR(s(r->networks[1]), "Intercultural Cities");
    CHECK_STR(s(r->networks[2]), "Solidarity Cities");
    CHECK(r->n_fields == 2);
    CHECK_STR(s(r->field_keys[0]), "population");
    CHECK_STR(s(r->field_values[0]), "about 800,000");
    CHECK_STR(s(r->field_keys[1]), "region");
    CHECK_STR(s(r->field_values[1]), "Valencian Community");
    /* The H1 repeats the title: not a section. */
    CHECK(r->n_sections == 2);
    CHECK_STR(s(r->sections[0].heading), "Key takeaways");
    CHECK_STR(s(r->sections[1].heading), "What is unique");
    CHECK_STR(section_body(0),
              "Valencia built most of its policy\nwithin a decade.\n\n"
              "A second paragraph.\n\n");
    CHECK_STR(section_body(1), "In June 2018 the city offered its port.");
    CHECK(!text_has("#"));
    CHECK(!text_has("Developing"));
    CHECK_STR(doc.warning, "");
}

static void md_lang_tags(void)
{
    CHECK(rds("a.md", "---\nlang: pt-BR\n---\nTexto.\n") == 0);
    CHECK_STR(s(doc.r.lang), "pt");
    CHECK(rds("a.md", "---\nlang: EN\n---\nText.\n") == 0);
    CHECK_STR(s(doc.r.lang), "en");
    CHECK(rds("a.md", "---\nlang: xx\nyear: 20x3\n---\nText.\n") == 0);
    CHECK(doc.r.lang.n == 0);
    CHECK(doc.r.year == 0);
    CHECK(strstr(doc.warning, "unknown language \"xx\"") != NULL);
    CHECK(strstr(doc.warning, "year \"20x3\"") != NULL);
}

static void md_without_front_matter(void)
{
    CHECK(rds("x/first-heading.md",
              "\n# The title\n\nIntro text.\n\n## Part\n\nBody.\n") == 0);
    CHECK_STR(s(doc.r.title), "The title");
    CHECK_STR(s(doc.r.id), "x/first-heading");
    CHECK(doc.r.n_sections == 1);
    CHECK_STR(s(doc.r.sections[0].heading), "Part");
    CHECK_STR(s(doc.r.text), "Intro text.\n\nBody.");

    CHECK(rds("line.md", "A plain first line\n\nThen the body.\n") == 0);
    CHECK_STR(s(doc.r.title), "A plain first line");
    CHECK_STR(s(doc.r.text), "Then the body.");
    CHECK(doc.r.n_sections == 0);
}

static void md_details(void)
{
    /* Links keep their text, not the address; CRLF and a BOM are fine. */
    CHECK(rds("l.md", "\xEF\xBB\xBF# T\r\n\r\nSee [the plan](https://example.org/x)"
                      " and ![a map](m.png).\r\n") == 0);
    CHECK_STR(s(doc.r.title), "T");
    CHECK_STR(s(doc.r.text), "See [the plan and ![a map.");
    /* A front matter block never closed is text, with a warning. */
    CHECK(rds("u.md", "---\ntitle: Never\nbody\n") == 0);
    CHECK(strstr(doc.warning, "front matter not closed") != NULL);
    CHECK(strcmp(s(doc.r.title), "Never") != 0);
    /* Sections past the maximum become body text. */
    urb_buf_t b = {0};
    urb_buf_append(&b, "# Many\n", 7);
    for (int i = 0; i < URB_MAX_SECTIONS + 5; i++) {
        char line[64];
        int n = snprintf(line, sizeof line, "## H%d\n\nbody %d\n", i, i);
        urb_buf_append(&b, line, (size_t)n);
    }
    CHECK(rd("many.md", b.data, b.len) == 0);
    CHECK(doc.r.n_sections == URB_MAX_SECTIONS);
    CHECK(text_has("H130"));
    CHECK(strstr(doc.warning, "sections") != NULL);
    urb_buf_free(&b);
}

static void txt_about_the_city(void)
{
    static const char dayton[] =
        "About the city\n"
        "Dayton\n"
        "Welcome Dayton: an immigrant-friendly plan\n"
        "\n"
        "Key takeaways\n"
        "Dayton, Ohio, lost a large part of its population.\n"
        "\n"
        "What others can learn\n"
        "A welcoming plan can be framed as economic development.\n"
        "\n"
        "Networks\n"
        "Welcoming America and Welcoming International.\n";
    CHECK(rds("us/dayton-en.txt", dayton) == 0);
    CHECK_STR(s(doc.r.city), "Dayton");
    CHECK_STR(s(doc.r.title), "Welcome Dayton: an immigrant-friendly plan");
    CHECK(doc.r.n_sections == 3);
    CHECK_STR(s(doc.r.sections[0].heading), "Key takeaways");
    CHECK_STR(s(doc.r.sections[2].heading), "Networks");
    CHECK_STR(section_body(2), "Welcoming America and Welcoming International.");
    CHECK(!text_has("About the city"));

    static const char botkyrka[] =
        "About the city\n"
        "Botkyrka\n"
        "# Botkyrka – en interkulturell kommun\n"
        "\n"
        "## Viktigaste slutsatser\n"
        "\n"
        "Botkyrka söder om Stockholm.\n";
    CHECK(rds("se/botkyrka-sv.txt", botkyrka) == 0);
    CHECK_STR(s(doc.r.city), "Botkyrka");
    CHECK_STR(s(doc.r.title), "Botkyrka – en interkulturell kommun");
    CHECK(doc.r.n_sections == 1);
    CHECK_STR(s(doc.r.sections[0].heading), "Viktigaste slutsatser");
    CHECK_STR(s(doc.r.text), "Botkyrka söder om Stockholm.");
}

static const char page[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"zh-Hant\" dir=\"ltr\">\n<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<title>Athens:  coordinating\n a city</title>\n"
    "<meta name=\"city\" content=\"Athens\">\n"
    "<meta name=\"Country\" content=\"GR\">\n"
    "<meta name=\"year\" content=\"2018\">\n"
    "<meta name=\"networks\" content=\"Eurocities, Solidarity Cities\">\n"
    "<meta name=\"viewport\" content=\"width=device-width\">\n"
    "<style>.zzstylejunk { color: red }</style>\n"
    "<script>var zzscriptjunk = 1;</script>\n"
    "</head>\n<body>\n"
    "<header>zzheaderjunk banner</header>\n"
    "<nav><a href=\"/\">zznavjunk home</a></nav>\n"
    "<!-- zzcommentjunk -->\n"
    "<noscript>zznoscriptjunk</noscript>\n"
    "<template><p>zztemplatejunk</p></template>\n"
    "<h1>Athens: coordinating a city</h1>\n"
    "<h2>Key <em>takeaways</em></h2>\n"
    "<p>Athens became a <b>front-line</b> city.</p><p>Second\n   para.</p>\n"
    "<h2>Networks</h2>\n"
    "<ul><li>Eurocities</li><li>Solidarity<br>Cities</li></ul>\n"
    "<script>zzscriptjunk2()</script>\n"
    "<footer>zzfooterjunk</footer>\n"
    "</body>\n</html>\n";

static void html_page(void)
{
    CHECK(rds("gr/athens-en.html", page) == 0);
    const urb_report_t *r = &doc.r;
    CHECK_STR(s(r->title), "Athens: coordinating a city");
    CHECK_STR(s(r->lang), "zh");
    CHECK_STR(s(r->city), "Athens");
    CHECK_STR(s(r->country), "GR");
    CHECK(r->year == 2018);
    CHECK(r->n_networks == 2);
    CHECK_STR(s(r->networks[1]), "Solidarity Cities");
    CHECK(r->n_fields == 0);
    CHECK_STR(s(r->id), "gr/athens-en");
    CHECK(r->n_sections == 2);
    CHECK_STR(s(r->sections[0].heading), "Key takeaways");
    CHECK_STR(s(r->sections[1].heading), "Networks");
    CHECK_STR(section_body(0), "Athens became a front-line city.\n\nSecond para.\n\n");
    CHECK_STR(section_body(1), "Eurocities\n\nSolidarity\nCities");
    CHECK(!text_has("zz"));
    CHECK(!text_has("banner"));
}

static void html_without_title(void)
{
    CHECK(rds("p.htm", "<html><body><h1>Heading title</h1><p>Text</p>"
                       "</body></html>") == 0);
    CHECK_STR(s(doc.r.title), "Heading title");
    CHECK(doc.r.n_sections == 0);
    CHECK_STR(s(doc.r.text), "Text");
    CHECK(doc.r.lang.n == 0);
}

static void pdf_titles(void)
{
    const char *pages[] = {"Sheffield, City of Sanctuary\nKey facts here",
                           "Second page text"};
    size_t len;
    char *pdf = ix_pdf("Sheffield metadata title", pages, 2, &len);
    CHECK(rd("gb/sheffield-en.pdf", pdf, len) == 0);
    CHECK_STR(s(doc.r.title), "Sheffield metadata title");
    CHECK(text_has("Sheffield, City of Sanctuary"));
    CHECK(text_has("Key facts here"));
    CHECK(text_has("Second page text"));
    CHECK_STR(s(doc.r.id), "gb/sheffield-en");
    free(pdf);

    pdf = ix_pdf(NULL, pages, 2, &len);
    CHECK(rd("bg/plovdiv-bg.pdf", pdf, len) == 0);
    CHECK_STR(s(doc.r.title), "Sheffield, City of Sanctuary");
    CHECK(doc.r.text.n > 0 && strncmp(doc.r.text.p, "Key facts", 9) == 0);
    free(pdf);
}

/* Type sizes: the large lines open with the title, then sections. */
static void pdf_headings(void)
{
    const char *pages[] = {
        "# Plovdiv: a European Capital\n# of Culture\nBody text here.\n"
        "More body text on a second line, longer than the rest.\n"
        "# Key takeaways\nThe first section says this.\n",
        "Still the first section.\n# What is unique\nThe second one.\n"};
    size_t len;
    char *pdf = ix_pdf(NULL, pages, 2, &len);
    CHECK(rd("bg/plovdiv-bg.pdf", pdf, len) == 0);
    CHECK_STR(s(doc.r.title), "Plovdiv: a European Capital of Culture");
    CHECK(doc.r.n_sections == 2);
    CHECK_STR(s(doc.r.sections[0].heading), "Key takeaways");
    CHECK_STR(s(doc.r.sections[1].heading), "What is unique");
    CHECK(strncmp(doc.r.text.p, "Body text here.", 15) == 0);
    CHECK(strstr(section_body(0), "The first section says this.") != NULL);
    CHECK(strstr(section_body(0), "Still the first section.") != NULL);
    CHECK(strstr(section_body(1), "The second one.") != NULL);
    CHECK(!text_has("Culture"));
    free(pdf);
    /* The metadata's title wins; the same words in large type are not
     * repeated as a section. */
    pdf = ix_pdf("Plovdiv: a European Capital of Culture", pages, 2, &len);
    CHECK(rd("bg/plovdiv-bg.pdf", pdf, len) == 0);
    CHECK_STR(s(doc.r.title), "Plovdiv: a European Capital of Culture");
    CHECK(doc.r.n_sections == 2);
    free(pdf);
}

static void pdf_broken(void)
{
    const char *pages[] = {"Some text"};
    size_t len;
    char *pdf = ix_pdf("T", pages, 1, &len);
    CHECK(rd("cut.pdf", pdf, len / 2) < 0);
    CHECK(strstr(doc.error, "truncated PDF") != NULL);
    free(pdf);
    static const char junk[] = "%PDF-1.4\nthis is no PDF at all\n%%EOF\n";
    CHECK(rds("junk.pdf", junk) < 0);
    CHECK(strstr(doc.error, "broken PDF") != NULL);
    CHECK(rds("nohdr.pdf", "hello\n%%EOF\n") < 0);
    CHECK(strstr(doc.error, "not a PDF") != NULL);
}

static void bad_bytes(void)
{
    static const char bin[] = "GIF89a\0\0\x01\x02 some bytes";
    CHECK(rd("img.md", bin, sizeof bin - 1) < 0);
    CHECK(strstr(doc.error, "binary") != NULL);
    /* Windows-1252: é, œ and a curly apostrophe. */
    static const char cp[] = "---\ntitle: Caf\xe9\n---\nC\x9cur d\x92une ville.\n";
    CHECK(rds("fr/x.md", cp) == 0);
    CHECK_STR(s(doc.r.title), "Café");
    CHECK_STR(s(doc.r.text), "Cœur d’une ville.");
    CHECK(strstr(doc.warning, "Windows-1252") != NULL);
    /* Nothing at all to index. */
    CHECK(rds("blank.md", "  \n\n \n") < 0);
    CHECK(strstr(doc.error, "no text") != NULL);
}

static void kinds_and_ids(void)
{
    CHECK(urb_reader_for("a/B.MD") == &urb_reader_markdown);
    CHECK(urb_reader_for("x.htm") == &urb_reader_html);
    CHECK(urb_reader_for("x.txt") == &urb_reader_text);
    CHECK(urb_reader_for("x.pdf") == &urb_reader_pdf);
    CHECK(urb_reader_for("notes.csv") == NULL);
    CHECK(urb_reader_for("dir.md/README") == NULL);
    CHECK(urb_reader_for("a/.md") == NULL);
    CHECK(urb_default_id_len("be/mechelen-nl.md") == strlen("be/mechelen-nl"));
    CHECK(urb_default_id_len("v1.2/x") == strlen("v1.2/x"));
    CHECK(urb_default_id_len("a/b.c.txt") == strlen("a/b.c"));
}

static void cleanup(void)
{
    urb_rdoc_free(&doc);
}

URB_TEST_MAIN(T(md_front_matter), T(md_lang_tags), T(md_without_front_matter),
              T(md_details), T(txt_about_the_city), T(html_page),
              T(html_without_title), T(pdf_titles), T(pdf_headings),
              T(pdf_broken),
              T(bad_bytes), T(kinds_and_ids), T(cleanup))

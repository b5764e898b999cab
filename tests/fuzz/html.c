/* Fuzz target: the HTML reader (read_html.c, over gumbo): <title>, meta
 * fields, <html lang>, headings, script and style dropped, any encoding,
 * then the report indexed as the indexer's worker would
 * (reader_check.h). */
#include "reader_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rc_read_and_index(&urb_reader_html, "fuzz/report.html", data, size);
    return 0;
}

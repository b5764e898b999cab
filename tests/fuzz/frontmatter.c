/* Fuzz target: the Markdown and plain-text readers (read_text.c): front
 * matter, headings, the "About the city" layout, any encoding, then the
 * report indexed as the indexer's worker would (reader_check.h). */
#include "reader_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rc_read_and_index(&urb_reader_markdown, "fuzz/report.md", data, size);
    rc_read_and_index(&urb_reader_text, "fuzz/report.txt", data, size);
    return 0;
}

/* test.h — a small test runner: each test file is one program whose main
 * lists its cases; ctest runs the program. A failed check prints where and
 * fails its case; the last line is "N passed, N failed". */
#ifndef URBIS_TEST_H
#define URBIS_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int urb_test_failed_checks;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
            urb_test_failed_checks++;                                        \
        }                                                                    \
    } while (0)

#define CHECK_STR(got, want)                                                 \
    do {                                                                     \
        const char *g_ = (got), *w_ = (want);                                \
        if (!g_ || strcmp(g_, w_) != 0) {                                    \
            fprintf(stderr, "%s:%d: %s is \"%s\", want \"%s\"\n", __FILE__,  \
                    __LINE__, #got, g_ ? g_ : "(null)", w_);                 \
            urb_test_failed_checks++;                                        \
        }                                                                    \
    } while (0)

typedef struct urb_test_case {
    const char *name;
    void (*fn)(void);
} urb_test_case_t;

/* Runs every case (or only those named in argv) and prints the summary;
 * returns the exit status for main. */
int urb_test_run(const urb_test_case_t *cases, int argc, char **argv);

/* A fresh empty directory under $TMPDIR, removed by urb_test_rmtree().
 * Returns a malloc'd path. */
char *urb_test_tmpdir(void);
void urb_test_rmtree(const char *path);

#define URB_TEST_MAIN(...)                                                   \
    int main(int argc, char **argv)                                          \
    {                                                                        \
        static const urb_test_case_t cases_[] = {__VA_ARGS__, {NULL, NULL}}; \
        return urb_test_run(cases_, argc, argv);                             \
    }
#define T(fn) {#fn, fn}

#endif

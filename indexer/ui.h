/* ui.h — what urbis-index tells its user on stderr: failed files and
 * warnings (from any thread), fatal errors, and on a terminal a progress
 * line redrawn in place. */
#ifndef URBIX_UI_H
#define URBIX_UI_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct urb_ui {
    pthread_mutex_t lock;
    const char *corpus;   /* as given, to name files by */
    bool quiet;           /* no progress, warnings or summary */
    bool tty;             /* stderr is a terminal: progress shown */
    bool line_shown;      /* a progress line is on screen */
    size_t warnings;
} urb_ui_t;

void urb_ui_init(urb_ui_t *ui, const char *corpus, bool quiet);
void urb_ui_destroy(urb_ui_t *ui);

/* "urbis-index: CORPUS/path: failed: reason" (always shown) or
 * "...: warning: reason" (not with --quiet; path NULL: about no file).
 * Thread-safe. */
void urb_ui_failed(urb_ui_t *ui, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void urb_ui_warning(urb_ui_t *ui, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "urbis-index: message", always shown. Thread-safe. */
void urb_ui_error(urb_ui_t *ui, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "urbis-index: message" unless quiet. */
void urb_ui_note(urb_ui_t *ui, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Redraws the progress line: "what done/total, rate/s, ETA". Only on a
 * terminal and not quiet; the caller paces it. */
void urb_ui_progress(urb_ui_t *ui, const char *what, size_t done,
                     size_t total, double elapsed);
/* Erases the progress line, if shown. */
void urb_ui_progress_end(urb_ui_t *ui);

/* Seconds on a monotonic clock. */
double urb_now(void);

#endif

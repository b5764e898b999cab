/* ui.c — messages and the progress line on stderr. */
#include "ui.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROG "urbis-index"
/* Erase the current terminal line. */
#define CLEAR_LINE "\r\033[K"

void urb_ui_init(urb_ui_t *ui, const char *corpus, bool quiet)
{
    pthread_mutex_init(&ui->lock, NULL);
    ui->corpus = corpus;
    ui->quiet = quiet;
    ui->tty = isatty(STDERR_FILENO);
    ui->line_shown = false;
    ui->warnings = 0;
}

void urb_ui_destroy(urb_ui_t *ui)
{
    pthread_mutex_destroy(&ui->lock);
}

double urb_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One message line, the progress line erased first; under the lock. */
static void say(urb_ui_t *ui, const char *path, const char *kind,
                const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    const char *sep = ui->corpus[0] && ui->corpus[strlen(ui->corpus) - 1] == '/'
                          ? "" : "/";
    pthread_mutex_lock(&ui->lock);
    if (ui->line_shown)
        fputs(CLEAR_LINE, stderr);
    ui->line_shown = false;
    if (path)
        fprintf(stderr, PROG ": %s%s%s: %s: %s\n", ui->corpus, sep, path,
                kind, msg);
    else if (kind)
        fprintf(stderr, PROG ": %s: %s\n", kind, msg);
    else
        fprintf(stderr, PROG ": %s\n", msg);
    pthread_mutex_unlock(&ui->lock);
}

void urb_ui_failed(urb_ui_t *ui, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(ui, path, "failed", fmt, ap);
    va_end(ap);
}

void urb_ui_warning(urb_ui_t *ui, const char *path, const char *fmt, ...)
{
    pthread_mutex_lock(&ui->lock);
    ui->warnings++;
    pthread_mutex_unlock(&ui->lock);
    if (ui->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    say(ui, path, "warning", fmt, ap);
    va_end(ap);
}

void urb_ui_error(urb_ui_t *ui, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(ui, NULL, NULL, fmt, ap);
    va_end(ap);
}

void urb_ui_note(urb_ui_t *ui, const char *fmt, ...)
{
    if (ui->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    say(ui, NULL, NULL, fmt, ap);
    va_end(ap);
}

void urb_ui_progress(urb_ui_t *ui, const char *what, size_t done,
                     size_t total, double elapsed)
{
    if (ui->quiet || !ui->tty)
        return;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    char eta[32] = "";
    if (rate > 0 && done < total) {
        double left = (double)(total - done) / rate;
        if (left >= 60)
            snprintf(eta, sizeof eta, ", ETA %dm%02ds", (int)left / 60,
                     (int)left % 60);
        else
            snprintf(eta, sizeof eta, ", ETA %.0f s", left);
    }
    pthread_mutex_lock(&ui->lock);
    fprintf(stderr, CLEAR_LINE PROG ": %s %zu/%zu, %.0f/s%s", what, done,
            total, rate, eta);
    ui->line_shown = true;
    pthread_mutex_unlock(&ui->lock);
}

void urb_ui_progress_end(urb_ui_t *ui)
{
    pthread_mutex_lock(&ui->lock);
    if (ui->line_shown)
        fputs(CLEAR_LINE, stderr);
    ui->line_shown = false;
    pthread_mutex_unlock(&ui->lock);
}

/* log.h — one line per event on stderr: time, level, message. */
#ifndef URBISD_LOG_H
#define URBISD_LOG_H

typedef enum urb_log_level {
    URB_LOG_DEBUG, URB_LOG_INFO, URB_LOG_WARN, URB_LOG_ERROR
} urb_log_level_t;

/* Lines below `level` are dropped. */
void urb_log_set_level(urb_log_level_t level);
/* Parses "debug", "info", "warn" or "error"; -1 when unknown. */
int urb_log_parse_level(const char *name);
void urb_log(urb_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define urb_debug(...) urb_log(URB_LOG_DEBUG, __VA_ARGS__)
#define urb_info(...) urb_log(URB_LOG_INFO, __VA_ARGS__)
#define urb_warn(...) urb_log(URB_LOG_WARN, __VA_ARGS__)
#define urb_error(...) urb_log(URB_LOG_ERROR, __VA_ARGS__)

#endif

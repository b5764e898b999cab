/* proto.h — the line protocol's codec (spec/protocol.md): a connection's
 * input split into lines, a request line parsed into verb, options and
 * text, and reply lines framed.
 *
 * Nothing here does I/O or knows the commands; the daemon looks the verb
 * up, checks the options it knows and writes the reply's JSON (json.h).
 */
#ifndef URBIS_PROTO_H
#define URBIS_PROTO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "urbis/doc.h"
#include "urbis/text.h"

/* The error codes of `ERR <code> <message>`. */
typedef enum urb_errcode {
    URB_ERR_NONE = 0,
    URB_ERR_SYNTAX,
    URB_ERR_UNKNOWN_COMMAND,
    URB_ERR_BAD_ARGUMENT,
    URB_ERR_TOO_LONG,
    URB_ERR_BAD_UTF8,
    URB_ERR_NOT_FOUND,
    URB_ERR_FORBIDDEN,
    URB_ERR_BUSY,
    URB_ERR_TIMEOUT,
    URB_ERR_UNAVAILABLE,
    URB_ERR_INTERNAL,
    URB_ERR_LAST
} urb_errcode_t;

/* The code as the protocol writes it ("bad_argument"); "internal" for
 * URB_ERR_NONE and values past the list. */
const char *urb_errcode_name(urb_errcode_t code);

/* ---- Input lines -------------------------------------------------------- */

#define URB_LINE_MAX_DEFAULT 16384

/* A connection's input: bytes are appended as they are read, complete
 * lines taken from the front. Owns its memory (urb_linebuf_free). */
typedef struct urb_linebuf {
    char *data;
    size_t len, cap;
    size_t pos;        /* start of the input not yet returned */
    size_t scanned;    /* data[pos..scanned) holds no LF */
    size_t max_line;   /* longest line, CR and LF not counted */
    bool discarding;   /* dropping the rest of an over-long line */
} urb_linebuf_t;

enum {
    URB_LINE_NONE = 0,     /* no complete line yet: read more */
    URB_LINE_READY = 1,    /* *line is the next line */
    URB_LINE_TOO_LONG = 2  /* the next line is over max_line: answer it
                              with ERR too_long; the rest of it, up to its
                              LF, is dropped without another report */
};

/* max_line 0 means URB_LINE_MAX_DEFAULT. */
void urb_linebuf_init(urb_linebuf_t *lb, size_t max_line);
void urb_linebuf_free(urb_linebuf_t *lb);
/* Room for at least `want` bytes after the input, for a read to fill
 * (libuv's alloc_cb): returns where to write and sets *room to the space
 * there; NULL on OOM. It may move the unconsumed input, so lines returned
 * earlier are invalid after it. */
char *urb_linebuf_space(urb_linebuf_t *lb, size_t want, size_t *room);
/* Marks n bytes written at the pointer urb_linebuf_space returned. */
void urb_linebuf_commit(urb_linebuf_t *lb, size_t n);
/* Copies s[0..n) in: space + memcpy + commit. 0, or -1 on OOM. */
int urb_linebuf_append(urb_linebuf_t *lb, const char *s, size_t n);
/* The next line without its LF (and the CR before it): a slice into the
 * buffer, valid until the next urb_linebuf_space/append/free. Returns a
 * URB_LINE_* value; call until URB_LINE_NONE after each read. */
int urb_linebuf_next(urb_linebuf_t *lb, urb_str_t *line);

/* ---- Request lines ------------------------------------------------------ */

#define URB_REQ_MAX_OPTIONS 64

typedef struct urb_option {
    urb_str_t name, value;
} urb_option_t;

/* One parsed request. verb, option names, unquoted values and text are
 * slices of the line (valid while it is); a value written with quotes is
 * decoded into `scratch`, which the request owns: such values are valid
 * until the next parse or urb_request_free. */
typedef struct urb_request {
    urb_str_t verb;          /* as sent: compare with urb_str_ieq */
    size_t n_options;
    urb_option_t options[URB_REQ_MAX_OPTIONS]; /* in line order */
    urb_str_t text;          /* the rest, trimmed; may be empty, not NULL */
    urb_errcode_t err;       /* after a -1 from urb_request_parse */
    const char *errmsg;      /* static text for ERR's message */
    urb_buf_t scratch;
} urb_request_t;

void urb_request_init(urb_request_t *req);
void urb_request_free(urb_request_t *req);

/* Parses line[0..len), given without its LF (one final CR is dropped).
 *   VERB [name=value ...] [--] [text]
 * Spaces and tabs separate words. Options run from after the verb to the
 * first word not of the form [a-z_]+=..., or to a word "--", which is
 * consumed; the text is the rest of the line, trimmed, kept as sent.
 * A value runs to the next space or tab outside double quotes; quotes
 * may open anywhere in it (filter=network:"Intercultural Cities" is
 * network:Intercultural Cities), and inside them \" and \\ stand for
 * " and \ while any other backslash is kept as it is.
 *
 * Returns 1 for a request, 0 for a line of only spaces and tabs (which
 * gets no reply), -1 with err and errmsg set: URB_ERR_BAD_UTF8 (invalid
 * UTF-8 anywhere), URB_ERR_SYNTAX (unterminated quote),
 * URB_ERR_BAD_ARGUMENT (more than URB_REQ_MAX_OPTIONS options),
 * URB_ERR_INTERNAL (OOM). */
int urb_request_parse(urb_request_t *req, const char *line, size_t len);

/* ASCII case-insensitive s == ascii (for verbs and choices). */
bool urb_str_ieq(urb_str_t s, const char *ascii);

/* Option values. Each returns 0 with *out set, or -1 when v is not of
 * the form (the daemon then answers ERR bad_argument). */
/* Decimal digits only, no sign or spaces, in [min, max]. */
int urb_proto_parse_uint(urb_str_t v, uint64_t min, uint64_t max,
                         uint64_t *out);
/* "0" or "1". */
int urb_proto_parse_bool(urb_str_t v, bool *out);
/* One of the NULL-terminated names, ignoring ASCII case; *out is its
 * index. */
int urb_proto_parse_choice(urb_str_t v, const char *const *names, int *out);

/* ---- Replies ------------------------------------------------------------ */

/* An OK reply: urb_proto_ok appends "OK ", the caller writes one JSON
 * object (json.h), urb_proto_end appends the LF. 0, or -1 on OOM. */
int urb_proto_ok(urb_buf_t *out);
int urb_proto_end(urb_buf_t *out);

#define URB_PROTO_MSG_MAX 1024

/* Appends "ERR <code> <message>\n". The message, from printf's fmt, is
 * made one line of valid UTF-8: control characters (C0, DEL, C1, U+2028,
 * U+2029) become spaces, invalid bytes U+FFFD; past URB_PROTO_MSG_MAX
 * bytes it is cut. 0, or -1 on OOM. */
int urb_proto_err(urb_buf_t *out, urb_errcode_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int urb_proto_verr(urb_buf_t *out, urb_errcode_t code, const char *fmt,
                   va_list ap) __attribute__((format(printf, 3, 0)));

#endif

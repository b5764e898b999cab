/* args.h — the arguments of the commands run on workers, read from a
 * parsed request line. urbisd's command table and tools/bench-inproc both
 * read SEARCH through here, so the benchmark's reference does the work a
 * request asks of the daemon, option for option. Unknown and repeated
 * options are the command table's to refuse; these check values. */
#ifndef URBISD_ARGS_H
#define URBISD_ARGS_H

#include <stdbool.h>

#include "search.h"
#include "urbis/proto.h"

/* Why an argument was refused: the reply's code and message. */
typedef struct urb_arg_err {
    urb_errcode_t code;
    char msg[200];
} urb_arg_err_t;

/* One option's value; false with *e filled when it is not one. */
bool urb_arg_uint(const urb_option_t *o, unsigned min, unsigned max,
                  unsigned *out, urb_arg_err_t *e);
bool urb_arg_bool(const urb_option_t *o, bool *out, urb_arg_err_t *e);
/* lang=xx (two lowercase letters) or lang=auto; out gets "" for auto. */
bool urb_arg_lang(const urb_option_t *o, char out[8], urb_arg_err_t *e);

/* SEARCH's options and text into *a (zeroed, then the defaults: limit 10,
 * snippets on, xl when lang is auto). false with *e filled when an
 * option's value is wrong or there is neither text nor a filter. *a owns
 * copies of the text and the filter values, freed by
 * urb_search_args_clear, after a failure too. */
bool urb_search_args_parse(const urb_request_t *rq, urb_search_args_t *a,
                           urb_arg_err_t *e);
void urb_search_args_clear(urb_search_args_t *a);

#endif

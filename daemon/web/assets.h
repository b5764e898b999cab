/* assets.h — the widget's files (daemon/web/), embedded at build time by
 * embed.cmake so that urbisd serves them without a data folder to install
 * or find. The table is generated; its bytes are static. */
#ifndef URBISD_WEB_ASSETS_H
#define URBISD_WEB_ASSETS_H

#include <stddef.h>

typedef struct urb_web_asset {
    const char *path; /* "/widget.js"; the demo page is "/" */
    const char *type; /* Content-Type */
    const unsigned char *data;
    size_t len;
} urb_web_asset_t;

/* Ended by a NULL path. */
extern const urb_web_asset_t urb_web_assets[];

#endif

/* webapp.h — the web app, built by Vite and embedded by scripts/embed.c. */
#ifndef SW_WEBAPP_H
#define SW_WEBAPP_H
#include <stddef.h>
typedef struct webapp_asset {
    const char *path;              /* "/index.html", "/assets/index-abc.js" */
    const char *content_type;
    const char *etag;              /* quoted */
    size_t len;
    const unsigned char *data;
    size_t gz_len;                 /* 0 when no gzip copy */
    const unsigned char *gz;
} webapp_asset;
extern const webapp_asset webapp_assets[];  /* ended by path NULL */
#endif

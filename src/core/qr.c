/* qr.c — QR code to SVG; see qr.h. */
#include "qr.h"
#include "arena.h"
#include "buf.h"
#include <qrencode.h>
#include <string.h>
#include <stdlib.h>

char *qr_svg(const char *text, int *modules)
{
    if (!text || !*text) return NULL;
    /* 8-bit mode keeps the text exactly (payload case, URL query). */
    QRcode *q = QRcode_encodeData((int)strlen(text), (const unsigned char *)text, 0, QR_ECLEVEL_M);
    if (!q) return NULL;
    int w = q->width, size = w + 2 * QR_QUIET_ZONE;
    buf b;
    buf_init(&b, 0);
    buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                   "shape-rendering=\"crispEdges\" class=\"qr\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
                   "<path fill=\"#000\" d=\"", size, size, size, size);
    for (int y = 0; y < w; y++) {
        int x = 0;
        while (x < w) {
            /* Bit 0 of each byte is the module's colour (1 = dark). */
            if (!(q->data[y * w + x] & 1)) { x++; continue; }
            int run = 1;
            while (x + run < w && (q->data[y * w + x + run] & 1)) run++;
            buf_printf(&b, "M%d %dh%dv1h-%dz", x + QR_QUIET_ZONE, y + QR_QUIET_ZONE, run, run);
            x += run;
        }
    }
    buf_puts(&b, "\"/></svg>");
    if (modules) *modules = w;
    QRcode_free(q);
    size_t n;
    return buf_take(&b, &n);
}

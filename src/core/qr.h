/* qr.h — QR codes as compact SVG (libqrencode), for printed sheets.
 *
 * Knows nothing of what is encoded: callers pass the text (a scan payload, a URL).
 * Error correction level M (15 % of the symbol may be dirty or torn: door plates
 * live in stairwells), a quiet zone of 4 modules as the standard asks, and one
 * <path> of dark modules drawn as horizontal runs, so a sheet of 60 codes stays small. */
#ifndef SW_QR_H
#define SW_QR_H
#include <stddef.h>

#define QR_QUIET_ZONE 4

/* Encodes text (8-bit, case kept) and returns a malloc'd SVG element (caller frees),
 * or NULL when the text is empty or too long for a QR code. The SVG has a viewBox in
 * modules and no fixed size: the page sizes it with CSS. *modules (may be NULL)
 * receives the symbol's width in modules, without the quiet zone. The same text
 * always gives the same bytes. */
char *qr_svg(const char *text, int *modules);
#endif

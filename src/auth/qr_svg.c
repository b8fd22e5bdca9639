/* QR codes as SVG; see auth_qr_svg.h. */
#include "auth/qr_svg.h"

#include "core/sbuf.h"

#include <qrencode.h>

#define QUIET 4

char *auth_qr_svg(arena *a, const char *text)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return NULL;
    int size = q->width + 2 * QUIET;
    sbuf b;
    sbuf_init(&b, a, 4096);
    sbuf_printf(&b,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
                "<path fill=\"#000\" d=\"",
                size, size, size, size);
    for (int y = 0; y < q->width; y++)
        for (int x = 0; x < q->width; x++)
            if (q->data[y * q->width + x] & 1)
                sbuf_printf(&b, "M%d %dh1v1h-1z", x + QUIET, y + QUIET);
    sbuf_printf(&b, "\"/></svg>");
    QRcode_free(q);
    return b.data;
}

/* The QR code of a TOTP factor's otpauth:// URI as SVG markup, as GoTrue
 * answers it (supabase-js puts "data:image/svg+xml;utf-8," in front).
 * The symbol is computed by libqrencode (Debian's libqrencode); this file
 * only draws its modules: one path of unit squares, a 4-module quiet zone. */
#ifndef PGSTACK_AUTH_QR_SVG_H
#define PGSTACK_AUTH_QR_SVG_H

#include "core/arena.h"

/* The SVG of text (error correction M), or NULL when it cannot be encoded. */
char *auth_qr_svg(arena *a, const char *text);

#endif

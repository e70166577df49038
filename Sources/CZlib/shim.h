#ifndef GRADSCOPE_CZLIB_SHIM_H
#define GRADSCOPE_CZLIB_SHIM_H

#include <zlib.h>

/// `inflateInit2` and `deflateInit2` are macros in <zlib.h> that Swift cannot import;
/// these wrappers pass the header's ZLIB_VERSION and sizeof(z_stream) as the macros do.
static inline int czlib_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

static inline int czlib_deflateInit2(z_streamp stream, int level, int windowBits) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}

#endif

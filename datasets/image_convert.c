/* Pixel conversions shared by the decoders: grey/RGB with or without alpha and CMYK to the
 * requested 1 or 3 channels, with Pillow's formulas (see image.h). */
#include "image_decoders.h"

void sc_convert_row(const uint8_t *src, int src_channels, int width, int channels, uint8_t *dst) {
    int colour = src_channels >= 3;
    for (int x = 0; x < width; x++) {
        const uint8_t *p = src + (size_t)x * (size_t)src_channels;
        if (channels == 1) {
            dst[x] = colour ? sc_rgb_to_grey(p[0], p[1], p[2]) : p[0];
        } else if (colour) {
            dst[3 * x] = p[0];
            dst[3 * x + 1] = p[1];
            dst[3 * x + 2] = p[2];
        } else {
            dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = p[0];
        }
    }
}

/* Pillow's MULDIV255: round(a * b / 255) in integers. */
static inline int muldiv255(int a, int b) {
    int t = a * b + 128;
    return ((t >> 8) + t) >> 8;
}

void sc_convert_cmyk_row(const uint8_t *src, int inverted, int width, int channels, uint8_t *dst) {
    for (int x = 0; x < width; x++) {
        const uint8_t *p = src + 4 * (size_t)x;
        int c = inverted ? 255 - p[0] : p[0];
        int m = inverted ? 255 - p[1] : p[1];
        int y = inverted ? 255 - p[2] : p[2];
        int not_k = inverted ? p[3] : 255 - p[3];
        uint8_t r = (uint8_t)(not_k - muldiv255(c, not_k));
        uint8_t g = (uint8_t)(not_k - muldiv255(m, not_k));
        uint8_t b = (uint8_t)(not_k - muldiv255(y, not_k));
        if (channels == 1) {
            dst[x] = sc_rgb_to_grey(r, g, b);
        } else {
            dst[3 * x] = r;
            dst[3 * x + 1] = g;
            dst[3 * x + 2] = b;
        }
    }
}

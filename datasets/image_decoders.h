/* Internal interface between the format dispatcher (image.c) and the per-format decoders
 * (image_jpeg.c, image_png.c, image_tiff.c), plus the pixel conversions they share
 * (image_convert.c). Not for use outside datasets/image*.c. */
#ifndef SC_IMAGE_DECODERS_H
#define SC_IMAGE_DECODERS_H

#include "image.h"

/* The options after defaults were filled in: channels 1 or 3, max_pixels > 0. */
typedef struct sc_decode_request {
    const char *name;
    int channels;
    int64_t max_pixels;
    int min_width, min_height;
} sc_decode_request;

sc_status sc_image_check_size(const sc_decode_request *req, const char *format, int64_t height,
                              int64_t width, sc_error *err);

sc_status sc_jpeg_probe(const uint8_t *data, size_t bytes, const char *name, int *height,
                        int *width, sc_error *err);
sc_status sc_jpeg_decode(const uint8_t *data, size_t bytes, const sc_decode_request *req,
                         sc_image *out, sc_error *err);
sc_status sc_png_decode(const uint8_t *data, size_t bytes, const sc_decode_request *req,
                        sc_image *out, sc_error *err);
sc_status sc_tiff_probe(const uint8_t *data, size_t bytes, const char *name, int *height,
                        int *width, sc_error *err);
sc_status sc_tiff_decode(const uint8_t *data, size_t bytes, const sc_decode_request *req,
                         sc_image *out, sc_error *err);

/* Row conversions into `channels` (1 or 3) output samples per pixel. */
/* (width, src_channels) grey(+alpha) or RGB(+alpha) 8-bit -> (width, channels): alpha dropped. */
void sc_convert_row(const uint8_t *src, int src_channels, int width, int channels, uint8_t *dst);
/* (width, 4) CMYK, inverted (Adobe) when `inverted` -> (width, channels). */
void sc_convert_cmyk_row(const uint8_t *src, int inverted, int width, int channels, uint8_t *dst);
/* Pillow's RGB -> L. */
static inline uint8_t sc_rgb_to_grey(uint8_t r, uint8_t g, uint8_t b) {
    return (uint8_t)(((uint32_t)r * 19595u + (uint32_t)g * 38470u + (uint32_t)b * 7471u + 0x8000u) >> 16);
}

#endif

/* PNG decoding through libpng from memory, thread-safe: errors longjmp back here (no
 * default handler prints or aborts). Every colour type and bit depth is reduced to 8-bit grey
 * or RGB: palette and low-bit grey expanded, 16-bit samples keep their high byte, alpha and
 * tRNS transparency dropped, interlaced images de-interlaced. */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <png.h>

#include "image_decoders.h"

typedef struct png_memory_reader {
    const uint8_t *data;
    size_t bytes, position;
    char message[200];
} png_memory_reader;

static void png_read_from_memory(png_structp png, png_bytep dst, png_size_t length) {
    png_memory_reader *reader = png_get_io_ptr(png);
    if (length > reader->bytes - reader->position)
        png_error(png, "truncated PNG (data ends before the image does)");
    memcpy(dst, reader->data + reader->position, length);
    reader->position += length;
}

static void png_error_jump(png_structp png, png_const_charp message) {
    png_memory_reader *reader = png_get_error_ptr(png);
    snprintf(reader->message, sizeof(reader->message), "%s", message);
    png_longjmp(png, 1);
}

static void png_warning_quietly(png_structp png, png_const_charp message) {}

sc_status sc_png_decode(const uint8_t *data, size_t bytes, const sc_decode_request *req,
                        sc_image *out, sc_error *err) {
    png_memory_reader reader = {data, bytes, 0, {0}};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, png_error_jump,
                                             png_warning_quietly);
    if (png == NULL)
        return sc_fail(err, SC_ERR_OOM, "%s: cannot create a PNG reader", req->name);
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        return sc_fail(err, SC_ERR_OOM, "%s: cannot create a PNG reader", req->name);
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        return sc_fail(err, SC_ERR_FORMAT, "%s: corrupt PNG: %s", req->name, reader.message);
    }
    png_set_read_fn(png, &reader, png_read_from_memory);
    png_read_info(png, info);
    png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    sc_status st = sc_image_check_size(req, "PNG", height, width, err);
    if (st != SC_OK) {
        png_destroy_read_struct(&png, &info, NULL);
        return st;
    }
    png_set_expand(png);
    png_set_strip_16(png);
    png_set_strip_alpha(png);
    int colour = (png_get_color_type(png, info) & PNG_COLOR_MASK_COLOR) != 0;
    if (!colour && req->channels == 3)
        png_set_gray_to_rgb(png);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    int decoded_channels = png_get_channels(png, info);
    if (decoded_channels != 1 && decoded_channels != 3) {
        png_destroy_read_struct(&png, &info, NULL);
        return sc_fail(err, SC_ERR_INTERNAL, "%s: libpng gave %d channels after expansion", req->name,
                       decoded_channels);
    }
    st = sc_image_reserve(out, (int)height, (int)width, decoded_channels, err);
    if (st != SC_OK) {
        png_destroy_read_struct(&png, &info, NULL);
        return st;
    }
    size_t stride = (size_t)width * (size_t)decoded_channels;
    for (int pass = 0; pass < passes; pass++)
        for (png_uint_32 y = 0; y < height; y++)
            png_read_row(png, out->pixels + (size_t)y * stride, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    if (decoded_channels != req->channels) { /* RGB -> grey, in place (shrinks) */
        for (png_uint_32 y = 0; y < height; y++)
            sc_convert_row(out->pixels + (size_t)y * stride, decoded_channels, (int)width,
                           req->channels, out->pixels + (size_t)y * (size_t)width * (size_t)req->channels);
        out->channels = req->channels;
    }
    return SC_OK;
}

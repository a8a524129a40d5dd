/* PNG encoding into memory with libpng and an atomic write of the result (see png_write.h). */
#include "png_write.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/core/fileio.h"

/* the growing encoded file and libpng's last error message */
typedef struct png_sink {
    unsigned char *data;
    size_t len, cap;
    int oom;
    char msg[160];
} png_sink;

static void sink_write(png_structp png, png_bytep bytes, png_size_t n) {
    png_sink *s = png_get_io_ptr(png);
    if (s->len + n > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + n)
            cap *= 2;
        unsigned char *grown = realloc(s->data, cap);
        if (!grown) {
            s->oom = 1;
            png_error(png, "out of memory");
        }
        s->data = grown;
        s->cap = cap;
    }
    memcpy(s->data + s->len, bytes, n);
    s->len += n;
}

static void sink_flush(png_structp png) {
    (void)png;
}

static void on_error(png_structp png, png_const_charp msg) {
    png_sink *s = png_get_error_ptr(png);
    snprintf(s->msg, sizeof s->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg) {
    (void)png, (void)msg;
}

/* encode into s; 0 on success, -1 with s->msg (or s->oom) set */
static int encode(png_sink *s, const uint8_t *rgb, int width, int height) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, s, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_write_struct(&png, NULL);
        s->oom = 1;
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return -1;
    }
    png_set_write_fn(png, s, sink_write, sink_flush);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < height; y++)
        png_write_row(png, (png_const_bytep)(rgb + (size_t)y * (size_t)width * 3));
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return 0;
}

sc_status sc_png_write_rgb(const char *path, const uint8_t *rgb, int width, int height,
                           sc_error *err) {
    png_sink s = {0};
    sc_status st;
    if (encode(&s, rgb, width, height) != 0)
        st = s.oom ? sc_fail(err, SC_ERR_OOM, "cannot write %s: out of memory encoding a %dx%d PNG",
                             path, width, height)
                   : sc_fail(err, SC_ERR_INTERNAL, "cannot write %s: libpng: %s", path, s.msg);
    else
        st = sc_file_write_atomic(path, s.data, s.len, err);
    free(s.data);
    return st;
}

/* cairo drawing onto 8-bit RGB pixels (see cairo_canvas.h). */
#include "cairo_canvas.h"

#include <string.h>

#include "host/core/json_utf8.h"

sc_status sc_cairo_canvas_create(sc_cairo_canvas *c, int width, int height, double font_px,
                                 const char *path, sc_error *err) {
    c->width = width;
    c->height = height;
    c->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    c->cr = cairo_create(c->surface);
    if (cairo_status(c->cr) != CAIRO_STATUS_SUCCESS) {
        sc_status st =
            sc_fail(err, SC_ERR_OOM, "cannot write %s: cairo cannot make a %dx%d canvas: %s", path,
                    width, height, cairo_status_to_string(cairo_status(c->cr)));
        sc_cairo_canvas_destroy(c);
        return st;
    }
    cairo_set_source_rgb(c->cr, 1.0, 1.0, 1.0);
    cairo_paint(c->cr);
    /* grey-level antialiasing without hinting: the same pixels on every display setup */
    cairo_font_options_t *opt = cairo_font_options_create();
    cairo_font_options_set_antialias(opt, CAIRO_ANTIALIAS_GRAY);
    cairo_font_options_set_hint_style(opt, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(opt, CAIRO_HINT_METRICS_OFF);
    cairo_set_font_options(c->cr, opt);
    cairo_font_options_destroy(opt);
    cairo_select_font_face(c->cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(c->cr, font_px);
    return SC_OK;
}

void sc_cairo_canvas_destroy(sc_cairo_canvas *c) {
    cairo_destroy(c->cr);
    cairo_surface_destroy(c->surface);
    c->cr = NULL;
    c->surface = NULL;
}

void sc_cairo_canvas_load_rgb(sc_cairo_canvas *c, const uint8_t *rgb) {
    cairo_surface_flush(c->surface);
    unsigned char *data = cairo_image_surface_get_data(c->surface);
    int stride = cairo_image_surface_get_stride(c->surface);
    for (int y = 0; y < c->height; y++) {
        uint32_t *row = (uint32_t *)(void *)(data + (size_t)y * (size_t)stride);
        const uint8_t *src = rgb + (size_t)y * (size_t)c->width * 3;
        for (int x = 0; x < c->width; x++)
            row[x] = (uint32_t)src[3 * x] << 16 | (uint32_t)src[3 * x + 1] << 8 | src[3 * x + 2];
    }
    cairo_surface_mark_dirty(c->surface);
}

sc_status sc_cairo_canvas_store_rgb(sc_cairo_canvas *c, uint8_t *rgb, const char *path,
                                    sc_error *err) {
    cairo_status_t cs = cairo_status(c->cr);
    if (cs != CAIRO_STATUS_SUCCESS)
        return sc_fail(err, SC_ERR_INTERNAL, "cannot write %s: cairo drawing failed: %s", path,
                       cairo_status_to_string(cs));
    cairo_surface_flush(c->surface);
    const unsigned char *data = cairo_image_surface_get_data(c->surface);
    int stride = cairo_image_surface_get_stride(c->surface);
    for (int y = 0; y < c->height; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride);
        uint8_t *dst = rgb + (size_t)y * (size_t)c->width * 3;
        for (int x = 0; x < c->width; x++) {
            dst[3 * x] = (uint8_t)(row[x] >> 16);
            dst[3 * x + 1] = (uint8_t)(row[x] >> 8);
            dst[3 * x + 2] = (uint8_t)row[x];
        }
    }
    return SC_OK;
}

void sc_cairo_clean_text(const char *text, char out[SC_CAIRO_TEXT_MAX]) {
    size_t len = text ? strlen(text) : 0, o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = sc_utf8_sequence_len((const unsigned char *)text + i, len - i);
        size_t take = n ? n : 1;
        if (o + take >= SC_CAIRO_TEXT_MAX)
            break;
        if (n)
            memcpy(out + o, text + i, n);
        else
            out[o] = '?';
        o += take;
        i += take;
    }
    out[o] = '\0';
}

double sc_cairo_text_width(cairo_t *cr, const char *text) {
    char clean[SC_CAIRO_TEXT_MAX];
    sc_cairo_clean_text(text, clean);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, clean, &ext);
    return ext.x_advance;
}

double sc_cairo_line_height(cairo_t *cr) {
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    return fe.ascent + fe.descent;
}

void sc_cairo_text(cairo_t *cr, const char *text, double x, double y, sc_text_align align) {
    char clean[SC_CAIRO_TEXT_MAX];
    sc_cairo_clean_text(text, clean);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, clean, &ext);
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    double left = align == SC_ALIGN_LEFT     ? x
                  : align == SC_ALIGN_CENTER ? x - ext.x_advance / 2
                                             : x - ext.x_advance;
    cairo_move_to(cr, left, y + (fe.ascent - fe.descent) / 2);
    cairo_show_text(cr, clean);
}

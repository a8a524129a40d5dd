/* The text of a heatmap grid, drawn with cairo (see heatmap_grid.h): class names left of the
 * rows, bold column titles ("image", then one per map set), the legend's caption above the
 * colour bar and its numbers beside it. */
#include <math.h>
#include <stdio.h>

#include "cairo_canvas.h"
#include "heatmap_grid.h"

#define FONT_PX 13.0
#define INK 0.125 /* grey level of the text */

static const char *row_label(const sc_heatmap_grid *g, int r) {
    return g->row_labels && g->row_labels[r] ? g->row_labels[r] : "";
}

/* the title of column col (0 = the image) into buf */
static const char *column_title(const sc_heatmap_grid *g, int col, char *buf, size_t len) {
    if (col == 0)
        return "image";
    if (g->set_titles && g->set_titles[col - 1])
        return g->set_titles[col - 1];
    snprintf(buf, len, "maps %d", col);
    return buf;
}

/* the legend numbers from the top of the bar down; returns how many */
static int legend_numbers(const sc_heatmap_grid *g, const char *numbers[3]) {
    if (g->style.signed_map) {
        numbers[0] = "+p99";
        numbers[1] = "0";
        numbers[2] = "-p99";
        return 3;
    }
    numbers[0] = "p99";
    numbers[1] = "0";
    return 2;
}

static const char *legend_caption(const sc_heatmap_grid *g) {
    return g->style.signed_map ? "map" : "|map|";
}

static void set_bold(cairo_t *cr, int bold) {
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
}

static int width_px(cairo_t *cr, const char *text) {
    return (int)ceil(sc_cairo_text_width(cr, text));
}

sc_status sc_grid_text_measure(const char *path, const sc_heatmap_grid *g, sc_grid_text_size *m,
                               sc_error *err) {
    sc_cairo_canvas c;
    SC_TRY(sc_cairo_canvas_create(&c, 1, 1, FONT_PX, path, err));
    *m = (sc_grid_text_size){0};
    m->line_h = (int)ceil(sc_cairo_line_height(c.cr));
    for (int r = 0; g->row_labels && r < g->rows; r++) {
        int w = width_px(c.cr, row_label(g, r));
        m->label_w = w > m->label_w ? w : m->label_w;
    }
    const char *numbers[3];
    int count = legend_numbers(g, numbers);
    for (int i = 0; i < count; i++) {
        int w = width_px(c.cr, numbers[i]);
        m->legend_w = w > m->legend_w ? w : m->legend_w;
    }
    set_bold(c.cr, 1);
    m->caption_w = width_px(c.cr, legend_caption(g));
    for (int col = 0; col <= g->map_sets; col++) {
        char buf[32];
        int w = width_px(c.cr, column_title(g, col, buf, sizeof buf));
        m->title_w = w > m->title_w ? w : m->title_w;
    }
    cairo_status_t cs = cairo_status(c.cr);
    sc_cairo_canvas_destroy(&c);
    if (cs != CAIRO_STATUS_SUCCESS)
        return sc_fail(err, SC_ERR_INTERNAL, "cannot write %s: cairo cannot measure text: %s", path,
                       cairo_status_to_string(cs));
    return SC_OK;
}

sc_status sc_grid_text_draw(const char *path, const sc_heatmap_grid *g, const sc_grid_layout *L,
                            uint8_t *canvas, sc_error *err) {
    sc_cairo_canvas c;
    SC_TRY(sc_cairo_canvas_create(&c, L->width, L->height, FONT_PX, path, err));
    sc_cairo_canvas_load_rgb(&c, canvas);
    cairo_t *cr = c.cr;
    cairo_set_source_rgb(cr, INK, INK, INK);
    for (int r = 0; g->row_labels && r < g->rows; r++)
        sc_cairo_text(cr, row_label(g, r), L->label_x,
                      L->row_y + r * L->row_pitch + L->cell_h / 2.0, SC_ALIGN_LEFT);
    const char *numbers[3];
    int count = legend_numbers(g, numbers);
    for (int i = 0; i < count; i++)
        sc_cairo_text(cr, numbers[i], L->legend_x, L->bar_y + (L->bar_h - 1) * i / (count - 1.0),
                      SC_ALIGN_LEFT);
    set_bold(cr, 1);
    sc_cairo_text(cr, legend_caption(g), L->bar_x - 1, L->title_y, SC_ALIGN_LEFT);
    for (int col = 0; col <= g->map_sets; col++) {
        char buf[32];
        sc_cairo_text(cr, column_title(g, col, buf, sizeof buf),
                      L->col_x + col * L->col_pitch + L->col_w / 2.0, L->title_y, SC_ALIGN_CENTER);
    }
    sc_status st = sc_cairo_canvas_store_rgb(&c, canvas, path, err);
    sc_cairo_canvas_destroy(&c);
    return st;
}

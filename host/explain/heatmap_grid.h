/* The layout of a heatmap grid (heatmap.h) and the hooks that draw its text with cairo.
 * Internal to host/explain; the tests use the layout to find cells in a written grid. */
#ifndef SC_HEATMAP_GRID_H
#define SC_HEATMAP_GRID_H

#include <stdint.h>

#include "heatmap.h"

/* Pixel sizes of the grid's text; all 0 when there is no text. */
typedef struct sc_grid_text_size {
    int label_w;   /* the widest row label (0 without labels) */
    int title_w;   /* the widest column title */
    int line_h;    /* one line of text */
    int legend_w;  /* the widest legend number */
    int caption_w; /* the legend's caption above the bar */
} sc_grid_text_size;

typedef struct sc_grid_layout {
    int width, height;              /* the PNG */
    int text;                       /* 1 when labels, titles and legend text are drawn */
    int label_x;                    /* row labels start here (left-aligned) */
    int col_x, col_w, col_pitch;    /* column i spans col_x + i * col_pitch, col_w wide */
    int cell_w, cell_h;             /* an upscaled image, centred in its column */
    int row_y, row_pitch;           /* row r's cells start at row_y + r * row_pitch */
    int title_y;                    /* centre line of the column titles */
    int bar_x, bar_y, bar_w, bar_h; /* the colour bar, inside a 1-pixel frame */
    int legend_x;                   /* legend numbers start here */
} sc_grid_layout;

/* SC_ERR_USAGE naming path and the problem unless g is a complete grid with a valid style. */
sc_status sc_grid_check(const char *path, const sc_heatmap_grid *g, sc_error *err);

/* Places everything of a checked grid for text of the given size; SC_ERR_USAGE when the grid
 * would be more than SC_HEATMAP_MAX_SIDE pixels a side. */
sc_status sc_grid_layout_compute(const char *path, const sc_heatmap_grid *g,
                                 const sc_grid_text_size *text, sc_grid_layout *L, sc_error *err);

/* The x of the left edge of the cell of column col (0 = the image). */
int sc_grid_cell_x(const sc_grid_layout *L, int col);

/* With cairo (cairo_grid_text.c): the text sizes of a checked g, and the text drawn onto the RGB
 * canvas (L->width x L->height); SC_ERR_OOM / SC_ERR_INTERNAL naming path when cairo fails. */
sc_status sc_grid_text_measure(const char *path, const sc_heatmap_grid *g, sc_grid_text_size *m,
                               sc_error *err);
sc_status sc_grid_text_draw(const char *path, const sc_heatmap_grid *g, const sc_grid_layout *L,
                            uint8_t *canvas, sc_error *err);

#endif

/* A grid PNG of heatmaps for a batch (see heatmap.h): the pixels of images, overlays and the
 * colour bar, then the text drawn over them with cairo when the build has it. */
#include <stdlib.h>
#include <string.h>

#include "heatmap_grid.h"
#include "heatmap_render.h"
#include "png_write.h"

/* the colour bar, top = the largest value, inside a dark grey frame */
static void draw_colour_bar(uint8_t *canvas, const sc_grid_layout *L, int signed_map) {
    const uint8_t frame[3] = {90, 90, 90};
    for (int y = -1; y <= L->bar_h; y++) {
        uint8_t *row = canvas + ((size_t)(L->bar_y + y) * (size_t)L->width + (size_t)L->bar_x) * 3;
        uint8_t rgb[3];
        float t = L->bar_h > 1 ? 1.0f - (float)y / (float)(L->bar_h - 1) : 1.0f;
        sc_colormap_rgb(signed_map ? SC_CMAP_DIVERGING : SC_CMAP_INFERNO, t, rgb);
        for (int x = -1; x <= L->bar_w; x++) {
            int edge = y < 0 || y == L->bar_h || x < 0 || x == L->bar_w;
            memcpy(row + 3 * x, edge ? frame : rgb, 3);
        }
    }
}

/* each row: the image, then its overlay from every map set */
static void draw_cells(uint8_t *canvas, const sc_grid_layout *L, const sc_heatmap_grid *g,
                       uint8_t *image_rgb, uint8_t *colors) {
    size_t plane = (size_t)g->h * (size_t)g->w;
    int scale = g->style.scale;
    for (int r = 0; r < g->rows; r++) {
        int y = L->row_y + r * L->row_pitch;
        sc_heatmap_image_rgb(g->images + (size_t)r * (size_t)g->c * plane, g->c, g->h, g->w,
                             image_rgb);
        sc_heatmap_blit(canvas, L->width, sc_grid_cell_x(L, 0), y, image_rgb, g->h, g->w, scale);
        for (int s = 0; s < g->map_sets; s++) {
            sc_heatmap_colors(g->maps[s] + (size_t)r * plane, g->h, g->w, g->style.signed_map,
                              colors);
            sc_heatmap_blend(image_rgb, colors, plane, g->style.alpha);
            sc_heatmap_blit(canvas, L->width, sc_grid_cell_x(L, 1 + s), y, colors, g->h, g->w,
                            scale);
        }
    }
}

sc_status sc_heatmap_grid_png(const char *path, const sc_heatmap_grid *g, int *wrote_text,
                              sc_error *err) {
    if (wrote_text)
        *wrote_text = 0;
    if (!path)
        return sc_fail(err, SC_ERR_USAGE, "heatmap grid: no output path given");
    SC_TRY(sc_grid_check(path, g, err));
    sc_grid_text_size text = {0};
#ifdef SCAAT_HAVE_CAIRO
    SC_TRY(sc_grid_text_measure(path, g, &text, err));
#endif
    sc_grid_layout L;
    SC_TRY(sc_grid_layout_compute(path, g, &text, &L, err));
    size_t plane = (size_t)g->h * (size_t)g->w;
    uint8_t *canvas = malloc((size_t)L.width * (size_t)L.height * 3);
    uint8_t *image_rgb = malloc(plane * 3);
    uint8_t *colors = malloc(plane * 3);
    sc_status st = SC_OK;
    if (!canvas || !image_rgb || !colors) {
        st = sc_fail(err, SC_ERR_OOM, "cannot write %s: out of memory for a %dx%d grid", path,
                     L.width, L.height);
    } else {
        memset(canvas, 255, (size_t)L.width * (size_t)L.height * 3);
        draw_cells(canvas, &L, g, image_rgb, colors);
        draw_colour_bar(canvas, &L, g->style.signed_map);
#ifdef SCAAT_HAVE_CAIRO
        st = sc_grid_text_draw(path, g, &L, canvas, err);
#endif
        if (st == SC_OK)
            st = sc_png_write_rgb(path, canvas, L.width, L.height, err);
    }
    free(canvas);
    free(image_rgb);
    free(colors);
    if (st == SC_OK && wrote_text)
        *wrote_text = L.text;
    return st;
}

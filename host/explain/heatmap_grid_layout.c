/* Where everything of a heatmap grid goes (see heatmap_grid.h): a margin, the row-label
 * column, one column per image / map set with the titles above, the colour bar on the right
 * with its numbers beside it and its caption above. */
#include "heatmap_grid.h"

#include "heatmap_render.h"

#define MARGIN 10  /* around everything */
#define GAP 6      /* between cells */
#define TEXT_PAD 8 /* beside a label, around a title */
#define BAR_GAP 16 /* between the last column and the colour bar */
#define BAR_W 14   /* the colour bar, without its frame */
#define BAR_MIN_H 64

sc_status sc_grid_check(const char *path, const sc_heatmap_grid *g, sc_error *err) {
    if (!g || !g->images || !g->maps)
        return sc_fail(err, SC_ERR_USAGE, "cannot write %s: no %s given", path,
                       !g           ? "grid"
                       : !g->images ? "images for the grid"
                                    : "maps for the grid");
    if (g->rows < 1 || g->map_sets < 1)
        return sc_fail(
            err, SC_ERR_USAGE,
            "cannot write %s: a grid of %d rows and %d map sets, expected at least 1 of each", path,
            g->rows, g->map_sets);
    if (g->c != 1 && g->c != 3)
        return sc_fail(err, SC_ERR_USAGE,
                       "cannot write %s: the images have %d channels, expected 1 (grey) or 3 (RGB)",
                       path, g->c);
    for (int i = 0; i < g->map_sets; i++)
        if (!g->maps[i])
            return sc_fail(err, SC_ERR_USAGE, "cannot write %s: map set %d of the grid is missing",
                           path, i);
    return sc_heatmap_check(path, g->h, g->w, &g->style, err);
}

static int64_t max64(int64_t a, int64_t b) {
    return a > b ? a : b;
}

sc_status sc_grid_layout_compute(const char *path, const sc_heatmap_grid *g,
                                 const sc_grid_text_size *text, sc_grid_layout *L, sc_error *err) {
    int title_h = text->line_h > 0 ? text->line_h + TEXT_PAD : 0;
    int64_t cell_w = (int64_t)g->w * g->style.scale, cell_h = (int64_t)g->h * g->style.scale;
    int64_t col_w = max64(cell_w, text->title_w > 0 ? text->title_w + TEXT_PAD : 0);
    int64_t col_x = MARGIN + (text->label_w > 0 ? text->label_w + TEXT_PAD : 0);
    int64_t cols_end = col_x + (int64_t)(1 + g->map_sets) * (col_w + GAP) - GAP;
    int64_t row_y = MARGIN + title_h;
    int64_t body_h = max64((int64_t)g->rows * (cell_h + GAP) - GAP, BAR_MIN_H);
    int64_t bar_x = cols_end + BAR_GAP + 1;
    int64_t legend_x = bar_x + BAR_W + 1 + TEXT_PAD / 2;
    int64_t width = max64(text->legend_w > 0 ? legend_x + text->legend_w : bar_x + BAR_W + 1,
                          bar_x - 1 + text->caption_w) +
                    MARGIN;
    int64_t height = row_y + body_h + MARGIN;
    if (width > SC_HEATMAP_MAX_SIDE || height > SC_HEATMAP_MAX_SIDE)
        return sc_fail(err, SC_ERR_USAGE,
                       "cannot write %s: a grid of %d rows and %d map sets at scale %d would be "
                       "%lldx%lld pixels, more than %d a side: use fewer rows or a smaller scale",
                       path, g->rows, g->map_sets, g->style.scale, (long long)width,
                       (long long)height, SC_HEATMAP_MAX_SIDE);
    *L = (sc_grid_layout){
        .width = (int)width,
        .height = (int)height,
        .text = text->line_h > 0,
        .label_x = MARGIN,
        .col_x = (int)col_x,
        .col_w = (int)col_w,
        .col_pitch = (int)(col_w + GAP),
        .cell_w = (int)cell_w,
        .cell_h = (int)cell_h,
        .row_y = (int)row_y,
        .row_pitch = (int)(cell_h + GAP),
        .title_y = MARGIN + title_h / 2,
        .bar_x = (int)bar_x,
        .bar_y = (int)row_y + 1,
        .bar_w = BAR_W,
        .bar_h = (int)body_h - 2,
        .legend_x = (int)legend_x,
    };
    return SC_OK;
}

int sc_grid_cell_x(const sc_grid_layout *L, int col) {
    return L->col_x + col * L->col_pitch + (L->col_w - L->cell_w) / 2;
}

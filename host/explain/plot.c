/* PNG line plots (see plot.h): the checks of a plot, then cairo's drawing written atomically
 * by png_write.h; a build without cairo refuses with SC_ERR_UNSUPPORTED. */
#include <stdlib.h>

#include "plot.h"
#include "plot_render.h"
#include "png_write.h"

#define DEFAULT_WIDTH 800
#define DEFAULT_HEIGHT 500
#define MIN_WIDTH 200
#define MIN_HEIGHT 150
#define MAX_SIDE 8192

int sc_plot_available(void) {
#ifdef SCAAT_HAVE_CAIRO
    return 1;
#else
    return 0;
#endif
}

static sc_status check_plot(const char *path, const sc_plot *p, sc_error *err) {
    if (!p || !p->series || p->n_series < 1)
        return sc_fail(err, SC_ERR_USAGE, "cannot write the plot %s: no series to draw", path);
    for (int k = 0; k < p->n_series; k++) {
        const sc_plot_series *s = &p->series[k];
        if (s->n < 1 || !s->x || !s->y)
            return sc_fail(err, SC_ERR_USAGE,
                           "cannot write the plot %s: series %d (%s) has no points", path, k + 1,
                           s->name ? s->name : "unnamed");
    }
    int w = p->width ? p->width : DEFAULT_WIDTH, h = p->height ? p->height : DEFAULT_HEIGHT;
    if (w < MIN_WIDTH || w > MAX_SIDE || h < MIN_HEIGHT || h > MAX_SIDE)
        return sc_fail(
            err, SC_ERR_USAGE,
            "cannot write the plot %s: %dx%d pixels, expected %d..%d wide and %d..%d high "
            "(or 0 for %dx%d)",
            path, p->width, p->height, MIN_WIDTH, MAX_SIDE, MIN_HEIGHT, MAX_SIDE, DEFAULT_WIDTH,
            DEFAULT_HEIGHT);
    return SC_OK;
}

sc_status sc_plot_png(const char *path, const sc_plot *p, sc_error *err) {
    if (!path)
        return sc_fail(err, SC_ERR_USAGE, "plot: no output path given");
    SC_TRY(check_plot(path, p, err));
#ifdef SCAAT_HAVE_CAIRO
    int w = p->width ? p->width : DEFAULT_WIDTH, h = p->height ? p->height : DEFAULT_HEIGHT;
    uint8_t *rgb = malloc((size_t)w * (size_t)h * 3);
    if (!rgb)
        return sc_fail(err, SC_ERR_OOM, "cannot write the plot %s: out of memory for %dx%d pixels",
                       path, w, h);
    sc_status st = sc_plot_render(path, p, w, h, rgb, err);
    if (st == SC_OK)
        st = sc_png_write_rgb(path, rgb, w, h, err);
    free(rgb);
    return st;
#else
    return sc_fail(err, SC_ERR_UNSUPPORTED,
                   "cannot write the plot %s: this build has no cairo, so no PNG plots (install "
                   "libcairo2-dev and reconfigure)",
                   path);
#endif
}

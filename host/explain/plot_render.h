/* Pieces of the line plots (plot.h): axis ranges with round tick steps, and the cairo renderer.
 * Internal to host/explain. */
#ifndef SC_PLOT_RENDER_H
#define SC_PLOT_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "plot.h"

/* Whether a coordinate can be drawn: finite and within +-1e300 (so ranges stay finite). */
int sc_plot_value_ok(double v);

/* An axis from lo to hi, both multiples of step, with ticks at every step. */
typedef struct sc_plot_axis {
    double lo, hi, step;
    int n_ticks;
    int decimals; /* digits after the point that tell the tick labels apart */
} sc_plot_axis;

/* The axis covering the data range [lo, hi] with about target_ticks round steps (1, 2 or 5
 * times a power of ten); a single value gets a margin around it, no data (NaN) gives [0, 1]. */
void sc_plot_axis_fit(double lo, double hi, int target_ticks, sc_plot_axis *a);

/* The label of the i-th tick of a into buf ("0.25", "-0.5", "1e+06"). */
void sc_plot_tick_label(const sc_plot_axis *a, int i, char *buf, size_t len);

/* With cairo (cairo_plot.c): draw a checked plot into (height, width, 3) RGB pixels;
 * SC_ERR_OOM / SC_ERR_INTERNAL naming path when cairo fails. */
sc_status sc_plot_render(const char *path, const sc_plot *p, int width, int height, uint8_t *rgb,
                         sc_error *err);

#endif

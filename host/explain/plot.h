/* Line plots as PNG for `scaat evaluate`: deletion/insertion, masked-accuracy and ROAD curves,
 * one line per series (e.g. one per checkpoint), with axes, ticks, tick labels, axis labels, a
 * title and a legend. Drawn with cairo when the build has it (sc_plot_available()); without
 * cairo there are no PNG plots and the caller writes the CSV only. The PNG is written with
 * libpng to a temporary file, fsync'd and renamed: never half-written. */
#ifndef SC_PLOT_H
#define SC_PLOT_H

#include "host/core/status.h"

typedef struct sc_plot_series {
    const char *name; /* legend entry */
    const double *x;  /* (n) */
    const double *y;  /* (n); a non-finite x or y breaks the line there */
    int n;            /* >= 1 */
} sc_plot_series;

typedef struct sc_plot {
    const char *title, *x_label, *y_label; /* each may be NULL */
    const sc_plot_series *series;          /* (n_series), >= 1; colours are Okabe-Ito's palette */
    int n_series;
    int width, height; /* pixels; 0 for 800 x 500; otherwise 200..8192 x 150..8192 */
} sc_plot;

/* 1 when the build has cairo (PNG plots and text in heatmap grids), else 0. */
int sc_plot_available(void);

/* SC_ERR_UNSUPPORTED with a clear message in a build without cairo; SC_ERR_USAGE for a bad
 * plot description; SC_ERR_IO when the file cannot be written. */
sc_status sc_plot_png(const char *path, const sc_plot *p, sc_error *err);

#endif

/* Axis ranges with round tick steps and tick labels for the line plots (see plot_render.h). */
#include <math.h>
#include <stdio.h>

#include "plot_render.h"

int sc_plot_value_ok(double v) {
    return isfinite(v) && fabs(v) <= 1e300;
}

void sc_plot_axis_fit(double lo, double hi, int target_ticks, sc_plot_axis *a) {
    if (!sc_plot_value_ok(lo) || !sc_plot_value_ok(hi) || hi < lo) {
        lo = 0.0;
        hi = 1.0;
    }
    if (hi - lo <= 1e-12 * fmax(fabs(lo), fabs(hi))) {
        double pad = lo != 0.0 ? 0.1 * fabs(lo) : 0.5;
        lo -= pad;
        hi += pad;
    }
    double raw = (hi - lo) / (target_ticks > 1 ? target_ticks : 1);
    double mag = pow(10.0, floor(log10(raw)));
    double f = raw / mag;
    double step = (f < 1.5 ? 1.0 : f < 3.0 ? 2.0 : f < 7.0 ? 5.0 : 10.0) * mag;
    a->step = step;
    a->lo = floor(lo / step + 1e-9) * step;
    a->hi = ceil(hi / step - 1e-9) * step;
    a->n_ticks = (int)lround((a->hi - a->lo) / step) + 1;
    double digits = -floor(log10(step) + 1e-9);
    a->decimals = digits > 0.0 ? (int)digits : 0;
}

void sc_plot_tick_label(const sc_plot_axis *a, int i, char *buf, size_t len) {
    double v = a->lo + i * a->step;
    if (fabs(v) < 1e-6 * a->step)
        v = 0.0; /* no "-0.00" from rounding */
    double big = fmax(fabs(a->lo), fabs(a->hi));
    if (big >= 1e6 || a->decimals > 5)
        snprintf(buf, len, "%.3g", v);
    else
        snprintf(buf, len, "%.*f", a->decimals, v);
}

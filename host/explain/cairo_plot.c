/* Line plots drawn with cairo (see plot.h): a frame with grid lines, ticks and tick labels,
 * axis labels, a bold title, one line per series in Okabe-Ito's colour-blind-safe palette
 * (dashed after the eighth), dots on the points of short series, and a legend in the corner of
 * the plot area that hides the fewest data. */
#include <math.h>
#include <stdio.h>

#include "cairo_canvas.h"
#include "plot_render.h"

#define MARGIN 12.0
#define TICK_LEN 5.0
#define DOTS_UP_TO 50 /* series with at most this many points get a dot on each */
#define HALF_TURN 3.14159265358979323846

/* the plot area in pixels and its axes */
typedef struct plot_frame {
    double x0, y0, x1, y1;
    sc_plot_axis ax, ay;
} plot_frame;

static double px_x(const plot_frame *f, double v) {
    return f->x0 + (v - f->ax.lo) / (f->ax.hi - f->ax.lo) * (f->x1 - f->x0);
}

static double px_y(const plot_frame *f, double v) {
    return f->y1 - (v - f->ay.lo) / (f->ay.hi - f->ay.lo) * (f->y1 - f->y0);
}

static int point_ok(const sc_plot_series *s, int i) {
    return sc_plot_value_ok(s->x[i]) && sc_plot_value_ok(s->y[i]);
}

/* the range of x (or y) over the drawable points; NaN when there is none */
static void data_range(const sc_plot *p, int of_y, double *lo, double *hi) {
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int k = 0; k < p->n_series; k++)
        for (int i = 0; i < p->series[k].n; i++)
            if (point_ok(&p->series[k], i)) {
                double v = of_y ? p->series[k].y[i] : p->series[k].x[i];
                *lo = fmin(*lo, v);
                *hi = fmax(*hi, v);
            }
    if (*lo > *hi)
        *lo = *hi = NAN;
}

static void set_series_style(cairo_t *cr, int k, double line_w) {
    const double palette[8][3] = {
        {0.000, 0.447, 0.698}, /* blue */
        {0.835, 0.369, 0.000}, /* vermillion */
        {0.000, 0.620, 0.451}, /* bluish green */
        {0.800, 0.475, 0.655}, /* reddish purple */
        {0.902, 0.624, 0.000}, /* orange */
        {0.337, 0.706, 0.914}, /* sky blue */
        {0.000, 0.000, 0.000}, /* black */
        {0.941, 0.894, 0.259}, /* yellow */
    };
    const double *c = palette[k % 8];
    const double dash[2] = {3.0 * line_w, 2.0 * line_w};
    cairo_set_source_rgb(cr, c[0], c[1], c[2]);
    cairo_set_line_width(cr, line_w);
    cairo_set_dash(cr, dash, k >= 8 ? 2 : 0, 0.0);
}

static const char *series_name(const sc_plot_series *s, int k, char *buf, size_t len) {
    if (s->name)
        return s->name;
    snprintf(buf, len, "series %d", k + 1);
    return buf;
}

static double max_tick_label_width(cairo_t *cr, const sc_plot_axis *a) {
    double w = 0.0;
    for (int i = 0; i < a->n_ticks; i++) {
        char label[32];
        sc_plot_tick_label(a, i, label, sizeof label);
        w = fmax(w, sc_cairo_text_width(cr, label));
    }
    return w;
}

/* grid lines, frame, ticks and tick labels */
static void draw_axes(cairo_t *cr, const plot_frame *f, double line_h) {
    cairo_set_line_width(cr, 1.0);
    for (int pass = 0; pass < 2; pass++) { /* 0: grid lines; 1: ticks */
        double grey = pass == 0 ? 0.9 : 0.3;
        cairo_set_source_rgb(cr, grey, grey, grey);
        for (int i = 0; i < f->ax.n_ticks; i++) {
            double x = floor(px_x(f, f->ax.lo + i * f->ax.step)) + 0.5;
            cairo_move_to(cr, x, pass == 0 ? f->y0 : f->y1);
            cairo_line_to(cr, x, f->y1 + (pass == 0 ? 0.0 : TICK_LEN));
        }
        for (int i = 0; i < f->ay.n_ticks; i++) {
            double y = floor(px_y(f, f->ay.lo + i * f->ay.step)) + 0.5;
            cairo_move_to(cr, pass == 0 ? f->x1 : f->x0, y);
            cairo_line_to(cr, f->x0 - (pass == 0 ? 0.0 : TICK_LEN), y);
        }
        cairo_stroke(cr);
    }
    cairo_rectangle(cr, floor(f->x0) + 0.5, floor(f->y0) + 0.5, floor(f->x1) - floor(f->x0),
                    floor(f->y1) - floor(f->y0));
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.125, 0.125, 0.125);
    char label[32];
    for (int i = 0; i < f->ax.n_ticks; i++) {
        sc_plot_tick_label(&f->ax, i, label, sizeof label);
        sc_cairo_text(cr, label, px_x(f, f->ax.lo + i * f->ax.step),
                      f->y1 + TICK_LEN + 3.0 + line_h / 2, SC_ALIGN_CENTER);
    }
    for (int i = 0; i < f->ay.n_ticks; i++) {
        sc_plot_tick_label(&f->ay, i, label, sizeof label);
        sc_cairo_text(cr, label, f->x0 - TICK_LEN - 4.0, px_y(f, f->ay.lo + i * f->ay.step),
                      SC_ALIGN_RIGHT);
    }
}

static void draw_series(cairo_t *cr, const plot_frame *f, const sc_plot *p, double line_w) {
    cairo_save(cr);
    cairo_rectangle(cr, f->x0 - 2 * line_w, f->y0 - 2 * line_w, f->x1 - f->x0 + 4 * line_w,
                    f->y1 - f->y0 + 4 * line_w);
    cairo_clip(cr);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    for (int k = 0; k < p->n_series; k++) {
        const sc_plot_series *s = &p->series[k];
        set_series_style(cr, k, line_w);
        int pen_down = 0;
        for (int i = 0; i < s->n; i++) {
            if (!point_ok(s, i)) {
                pen_down = 0;
                continue;
            }
            if (pen_down)
                cairo_line_to(cr, px_x(f, s->x[i]), px_y(f, s->y[i]));
            else
                cairo_move_to(cr, px_x(f, s->x[i]), px_y(f, s->y[i]));
            pen_down = 1;
        }
        cairo_stroke(cr);
        for (int i = 0; i < s->n; i++) {
            int alone = (i == 0 || !point_ok(s, i - 1)) && (i + 1 == s->n || !point_ok(s, i + 1));
            if (point_ok(s, i) && (s->n <= DOTS_UP_TO || alone)) {
                cairo_new_sub_path(cr);
                cairo_arc(cr, px_x(f, s->x[i]), px_y(f, s->y[i]), 1.4 * line_w, 0.0, 2 * HALF_TURN);
            }
        }
        cairo_fill(cr);
    }
    cairo_restore(cr);
}

/* how many samples along the lines fall inside the box (x, y, w, h) */
static int data_in_box(const plot_frame *f, const sc_plot *p, double x, double y, double w,
                       double h) {
    int hits = 0;
    for (int k = 0; k < p->n_series; k++) {
        const sc_plot_series *s = &p->series[k];
        for (int i = 0; i < s->n; i++) {
            if (!point_ok(s, i))
                continue;
            int next = i + 1 < s->n && point_ok(s, i + 1);
            for (int j = 0; j < (next ? 16 : 1); j++) {
                double t = j / 16.0;
                double sx =
                    px_x(f, s->x[i]) + (next ? t * (px_x(f, s->x[i + 1]) - px_x(f, s->x[i])) : 0.0);
                double sy =
                    px_y(f, s->y[i]) + (next ? t * (px_y(f, s->y[i + 1]) - px_y(f, s->y[i])) : 0.0);
                hits += sx >= x && sx <= x + w && sy >= y && sy <= y + h;
            }
        }
    }
    return hits;
}

static void draw_legend(cairo_t *cr, const plot_frame *f, const sc_plot *p, double line_h,
                        double line_w) {
    const double pad = 0.6 * line_h, sample = 2.0 * line_h, row_h = 1.3 * line_h;
    double names_w = 0.0;
    char buf[32];
    for (int k = 0; k < p->n_series; k++)
        names_w =
            fmax(names_w, sc_cairo_text_width(cr, series_name(&p->series[k], k, buf, sizeof buf)));
    double w = 2 * pad + sample + pad + names_w,
           h = 2 * pad + p->n_series * row_h - (row_h - line_h);
    double inset = 8.0;
    /* top-right, bottom-right, top-left, bottom-left: the first with the fewest data under it */
    double xs[4] = {f->x1 - inset - w, f->x1 - inset - w, f->x0 + inset, f->x0 + inset};
    double ys[4] = {f->y0 + inset, f->y1 - inset - h, f->y0 + inset, f->y1 - inset - h};
    int best = 0, best_hits = -1;
    for (int c = 0; c < 4; c++) {
        int hits = data_in_box(f, p, xs[c] - 4, ys[c] - 4, w + 8, h + 8);
        if (best_hits < 0 || hits < best_hits) {
            best = c;
            best_hits = hits;
        }
    }
    double x = floor(xs[best]) + 0.5, y = floor(ys[best]) + 0.5;
    cairo_rectangle(cr, x, y, ceil(w), ceil(h));
    cairo_set_source_rgba(cr, 1.0, 1.0, 1.0, 0.9);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr, 1.0);
    cairo_stroke(cr);
    for (int k = 0; k < p->n_series; k++) {
        double cy = y + pad + k * row_h + line_h / 2;
        set_series_style(cr, k, line_w);
        cairo_move_to(cr, x + pad, cy);
        cairo_line_to(cr, x + pad + sample, cy);
        cairo_stroke(cr);
        if (p->series[k].n <= DOTS_UP_TO) {
            cairo_arc(cr, x + pad + sample / 2, cy, 1.4 * line_w, 0.0, 2 * HALF_TURN);
            cairo_fill(cr);
        }
        cairo_set_source_rgb(cr, 0.125, 0.125, 0.125);
        sc_cairo_text(cr, series_name(&p->series[k], k, buf, sizeof buf), x + 2 * pad + sample, cy,
                      SC_ALIGN_LEFT);
    }
}

static void draw_labels(cairo_t *cr, const sc_plot *p, const plot_frame *f, double width,
                        double height, double line_h, double font_px) {
    cairo_set_source_rgb(cr, 0.125, 0.125, 0.125);
    if (p->x_label)
        sc_cairo_text(cr, p->x_label, (f->x0 + f->x1) / 2, height - MARGIN - line_h / 2,
                      SC_ALIGN_CENTER);
    if (p->y_label) {
        cairo_save(cr);
        cairo_translate(cr, MARGIN + line_h / 2, (f->y0 + f->y1) / 2);
        cairo_rotate(cr, -HALF_TURN / 2);
        sc_cairo_text(cr, p->y_label, 0.0, 0.0, SC_ALIGN_CENTER);
        cairo_restore(cr);
    }
    if (p->title) {
        cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
        cairo_set_font_size(cr, 1.25 * font_px);
        sc_cairo_text(cr, p->title, width / 2, MARGIN + sc_cairo_line_height(cr) / 2,
                      SC_ALIGN_CENTER);
    }
}

sc_status sc_plot_render(const char *path, const sc_plot *p, int width, int height, uint8_t *rgb,
                         sc_error *err) {
    double scale = fmin(width / 800.0, height / 500.0);
    double font_px = fmax(11.0, fmin(24.0, 14.0 * scale));
    double line_w = fmax(1.5, fmin(4.0, 2.0 * scale));
    sc_cairo_canvas c;
    SC_TRY(sc_cairo_canvas_create(&c, width, height, font_px, path, err));
    cairo_t *cr = c.cr;
    plot_frame f;
    double lo, hi;
    data_range(p, 0, &lo, &hi);
    sc_plot_axis_fit(lo, hi, (int)fmax(3.0, fmin(10.0, width / 110.0)), &f.ax);
    data_range(p, 1, &lo, &hi);
    sc_plot_axis_fit(lo, hi, (int)fmax(3.0, fmin(10.0, height / 70.0)), &f.ay);
    double line_h = sc_cairo_line_height(cr);
    double title_h = p->title ? 1.25 * line_h + 0.6 * line_h : 0.6 * line_h;
    char last[32];
    sc_plot_tick_label(&f.ax, f.ax.n_ticks - 1, last, sizeof last);
    f.x0 = MARGIN + (p->y_label ? 1.5 * line_h : 0.0) + max_tick_label_width(cr, &f.ay) + 4.0 +
           TICK_LEN;
    f.x1 = width - MARGIN - fmax(8.0, sc_cairo_text_width(cr, last) / 2);
    f.y0 = MARGIN + title_h;
    f.y1 = height - MARGIN - TICK_LEN - 3.0 - line_h - (p->x_label ? 1.4 * line_h : 0.0);
    draw_axes(cr, &f, line_h);
    draw_series(cr, &f, p, line_w);
    draw_legend(cr, &f, p, line_h, line_w);
    draw_labels(cr, p, &f, width, height, line_h, font_px);
    sc_status st = sc_cairo_canvas_store_rgb(&c, rgb, path, err);
    sc_cairo_canvas_destroy(&c);
    return st;
}

/* Progress output (see progress.h). */
#include "progress.h"

#include <stdarg.h>
#include <unistd.h>

#include "host/core/log.h"

void sc_progress_init(sc_progress *p, FILE *out, int64_t first_step, int64_t total_steps) {
    p->out = out;
    p->tty = out && isatty(fileno(out));
    p->line_open = 0;
    p->started = sc_now_seconds();
    p->last_print = 0.0;
    p->first_step = first_step;
    p->total_steps = total_steps;
    p->last_plain_step = first_step;
}

static void format_duration(double seconds, char *buf, size_t len) {
    if (seconds < 0 || seconds != seconds)
        seconds = 0;
    long s = (long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else
        snprintf(buf, len, "%ld:%02ld", s / 60, s % 60);
}

void sc_progress_update(sc_progress *p, const sc_progress_sample *s) {
    if (!p->out)
        return;
    double now = sc_now_seconds();
    int64_t done = s->global_step - p->first_step;
    int64_t left = p->total_steps - s->global_step;
    double eta = done > 0 ? (now - p->started) / (double)done * (double)left : 0.0;
    char eta_text[32];
    format_duration(eta, eta_text, sizeof eta_text);
    if (p->tty) {
        if (now - p->last_print < 0.25 && left > 0)
            return;
        fprintf(p->out, "\r\033[K  epoch %d/%d  step %lld/%lld  loss %.4f  acc %5.1f%%  lr %.4g  "
                        "%.0f img/s  ETA %s",
                s->epoch + 1, s->epochs, (long long)s->step_in_epoch, (long long)s->steps_per_epoch,
                s->loss, 100.0 * s->accuracy, s->lr, s->images_per_s, eta_text);
        fflush(p->out);
        p->line_open = 1;
        p->last_print = now;
        return;
    }
    /* a line each time the step crosses a tenth of the epoch, and at least every 30 s */
    int64_t tenth = s->steps_per_epoch >= 10 ? s->steps_per_epoch / 10 : 1;
    int64_t previous = s->global_step - p->last_plain_step;
    int crossed = s->step_in_epoch / tenth != (s->step_in_epoch - previous) / tenth;
    int due = crossed || now - p->last_print >= 30.0 || s->step_in_epoch == s->steps_per_epoch;
    if (!due || s->global_step == p->last_plain_step)
        return;
    fprintf(p->out, "  epoch %d/%d  step %lld/%lld  loss %.4f  acc %5.1f%%  lr %.4g  %.0f img/s  "
                    "ETA %s\n",
            s->epoch + 1, s->epochs, (long long)s->step_in_epoch, (long long)s->steps_per_epoch,
            s->loss, 100.0 * s->accuracy, s->lr, s->images_per_s, eta_text);
    fflush(p->out);
    p->last_plain_step = s->global_step;
    p->last_print = now;
}

void sc_progress_message(sc_progress *p, const char *fmt, ...) {
    if (!p->out)
        return;
    if (p->line_open) {
        fputs("\r\033[K", p->out);
        p->line_open = 0;
    }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(p->out, fmt, ap);
    va_end(ap);
    fputc('\n', p->out);
    fflush(p->out);
}

void sc_progress_finish(sc_progress *p) {
    if (!p->out)
        return;
    if (p->line_open) {
        fputc('\n', p->out);
        fflush(p->out);
        p->line_open = 0;
    }
}

/* Learning-rate schedules (see lr_schedule.h). */
#include "lr_schedule.h"

#include <math.h>
#include <string.h>

sc_status sc_lr_kind_parse(const char *name, sc_lr_kind *out, sc_error *err) {
    if (strcmp(name, "cosine") == 0)
        *out = SC_LR_COSINE;
    else if (strcmp(name, "multistep") == 0)
        *out = SC_LR_MULTISTEP;
    else if (strcmp(name, "constant") == 0)
        *out = SC_LR_CONSTANT;
    else
        return sc_fail(err, SC_ERR_USAGE, "--lr-schedule: unknown schedule '%s' (expected cosine, "
                       "multistep or constant)", name);
    return SC_OK;
}

const char *sc_lr_kind_name(sc_lr_kind kind) {
    switch (kind) {
    case SC_LR_COSINE: return "cosine";
    case SC_LR_MULTISTEP: return "multistep";
    case SC_LR_CONSTANT: return "constant";
    }
    return "?";
}

float sc_lr_at(const sc_lr_schedule *s, int64_t step) {
    if (step < s->warmup_steps)
        return s->base_lr * (float)(step + 1) / (float)s->warmup_steps;
    switch (s->kind) {
    case SC_LR_CONSTANT:
        return s->base_lr;
    case SC_LR_COSINE: {
        int64_t span = s->total_steps - s->warmup_steps;
        if (span <= 0)
            return s->base_lr;
        double progress = (double)(step - s->warmup_steps) / (double)span;
        if (progress > 1.0)
            progress = 1.0;
        return (float)(0.5 * (double)s->base_lr * (1.0 + cos(3.14159265358979323846 * progress)));
    }
    case SC_LR_MULTISTEP: {
        float lr = s->base_lr;
        for (int i = 0; i < s->n_milestones; i++)
            if (step >= s->milestones[i])
                lr *= s->gamma;
        return lr;
    }
    }
    return s->base_lr;
}

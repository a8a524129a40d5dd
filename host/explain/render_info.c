/* What this build draws heatmap text and plots with, for `scaat info` (see heatmap.h). */
#include "heatmap.h"

#ifdef SCAAT_HAVE_CAIRO
#include <cairo.h>
#endif

const char *sc_explain_render_info(void) {
#ifdef SCAAT_HAVE_CAIRO
    return "cairo " CAIRO_VERSION_STRING " (text and plots)";
#else
    return "none (grids without text, no PNG plots)";
#endif
}

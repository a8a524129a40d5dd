/* Arena: reserve offsets, commit once, hand out pointers (see arena.h). */
#include "arena.h"

#include "../backend/backend.h"

void sc_arena_init(sc_arena *a, struct sc_backend *be, const char *name) {
    a->be = be;
    a->name = name;
    a->base = NULL;
    a->size = 0;
}

size_t sc_arena_reserve(sc_arena *a, size_t bytes) {
    size_t offset = a->size;
    a->size += sc_arena_align_size(bytes);
    return offset;
}

sc_status sc_arena_commit(sc_arena *a, sc_error *err) {
    if (a->base)
        return sc_fail(err, SC_ERR_INTERNAL, "arena '%s' committed twice", a->name);
    size_t bytes = a->size ? a->size : SC_ARENA_ALIGN;
    sc_status st = a->be->ops->alloc(a->be, bytes, &a->base);
    if (st != SC_OK)
        return sc_fail(err, st, "allocating the %s arena (%.1f MiB) on %s: %s", a->name,
                       (double)bytes / (1024.0 * 1024.0), a->be->name, a->be->err.msg);
    st = a->be->ops->zero(a->be, a->base, bytes);
    if (st != SC_OK)
        return sc_fail(err, st, "clearing the %s arena: %s", a->name, a->be->err.msg);
    return SC_OK;
}

void *sc_arena_ptr(const sc_arena *a, size_t offset) {
    return a->base ? (char *)a->base + offset : NULL;
}

void sc_arena_release(sc_arena *a) {
    if (a->base)
        a->be->ops->free(a->be, a->base);
    a->base = NULL;
    a->size = 0;
}

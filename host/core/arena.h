/* Arena: one backend allocation per lifetime (parameters, gradients, optimizer state,
 * activations, workspace), sized before the first step so nothing is allocated inside one.
 *
 * Two phases: reserve() hands out byte offsets while the owner walks its spec table, then
 * commit() makes the single allocation and ptr() turns offsets into pointers. Offsets are
 * aligned to SC_ARENA_ALIGN bytes. */
#ifndef SC_ARENA_H
#define SC_ARENA_H

#include <stddef.h>

#include "status.h"

#define SC_ARENA_ALIGN 256

struct sc_backend;

typedef struct sc_arena {
    struct sc_backend *be;
    const char *name; /* for error messages: "parameters", "activations", ... */
    void *base;       /* NULL until commit */
    size_t size;      /* bytes reserved so far (the allocation size after commit) */
} sc_arena;

/* bytes rounded up to SC_ARENA_ALIGN. */
static inline size_t sc_arena_align_size(size_t bytes) {
    return (bytes + SC_ARENA_ALIGN - 1) / SC_ARENA_ALIGN * SC_ARENA_ALIGN;
}

void sc_arena_init(sc_arena *a, struct sc_backend *be, const char *name);
/* Reserve bytes; returns the offset. Only valid before commit. */
size_t sc_arena_reserve(sc_arena *a, size_t bytes);
/* One allocation of everything reserved, zero-filled. */
sc_status sc_arena_commit(sc_arena *a, sc_error *err);
void *sc_arena_ptr(const sc_arena *a, size_t offset);
void sc_arena_release(sc_arena *a);

#endif

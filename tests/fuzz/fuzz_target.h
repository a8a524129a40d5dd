/* The contract between a fuzz harness and its drivers.
 *
 * A harness (tests/fuzz/fuzz_<name>.c) feeds arbitrary bytes to one of the engine's readers
 * through its library functions and checks what the reader promises: an input is either
 * accepted, and then the result is consistent (sizes, ranges, every byte readable), or refused
 * with one clear line and an input-error status. Anything else aborts, which the fuzzer
 * reports as a crash. Each harness also writes its seed inputs: small valid files that the
 * reader accepts, from which the fuzzer starts.
 *
 * Drivers: libfuzzer_main.c (one libFuzzer binary per harness, built by tools/fuzz.sh) and
 * fuzz_tool.c (writes the seed corpora, checks every seed is accepted, replays kept crash
 * inputs; built in every build and run by CTest). */
#ifndef SC_FUZZ_TARGET_H
#define SC_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "host/core/status.h"

/* Receives one seed input; returns 0 on success. */
typedef int (*sc_fuzz_emit_fn)(void *ctx, const char *seed_name, const void *data, size_t size);

typedef struct sc_fuzz_target {
    const char *name; /* "idx": the libFuzzer binary is fuzz_idx, kept inputs are under
                         tests/fuzz/regressions/idx/ */
    size_t max_len;   /* the longest input the fuzzer tries (-max_len) */
    /* Feed one input to the reader: 1 when it was accepted, 0 when it was refused properly.
     * Aborts (with a line on stderr) when a promise of the reader is broken. */
    int (*run)(const uint8_t *data, size_t size);
    /* Emit every seed input; returns 0 on success. */
    int (*write_seeds)(sc_fuzz_emit_fn emit, void *ctx);
} sc_fuzz_target;

extern const sc_fuzz_target sc_fuzz_target_idx;
extern const sc_fuzz_target sc_fuzz_target_cifar;
extern const sc_fuzz_target sc_fuzz_target_safetensors;
extern const sc_fuzz_target sc_fuzz_target_json;
extern const sc_fuzz_target sc_fuzz_target_checkpoint;
extern const sc_fuzz_target sc_fuzz_target_image;
#ifdef SCAAT_HAVE_HDF5
extern const sc_fuzz_target sc_fuzz_target_pcam;
#endif

/* ---- helpers shared by the harnesses (fuzz_checks.c) ---------------------------------------- */

/* Abort with "fuzz <harness>: <message>" on stderr: a broken promise of the reader. */
void sc_fuzz_fail(const char *harness, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* Check a refusal: an input-error status (format, shape, unsupported, I/O, numeric) and one
 * non-empty line of message. Returns 0 (the run's "refused" result). */
int sc_fuzz_refused(const char *harness, sc_status st, const sc_error *err);

/* Sum of every byte of buf, read one by one so the sanitizer sees a lying size. */
unsigned sc_fuzz_touch(const void *buf, size_t size);

/* Path of a file named `name` in this process's scratch directory (made on first use under
 * $TMPDIR, /dev/shm or /tmp, removed at exit), written with data[0 .. size); the path stays valid until
 * the next call. Aborts when it cannot be written: the harness cannot run without it. */
const char *sc_fuzz_scratch_write(const char *harness, const char *name, const void *data,
                                  size_t size);

/* Read a whole scratch file back (for seeds written by the engine's own writers) and emit it. */
int sc_fuzz_emit_file(sc_fuzz_emit_fn emit, void *ctx, const char *seed_name, const char *path);

#endif

/* Soft checks for the standalone GPU tests (tests/gpu_*.c, built without Check): a failed
 * SC_EXPECT prints "  FAIL file:line: message" and counts the failure in the sc_expect the test
 * passes along, so one run reports every failed check; sc_expect_finish prints the verdict and
 * turns the count into the exit status. Header-only, like check_run.h. */
#ifndef SC_TEST_EXPECT_H
#define SC_TEST_EXPECT_H

#include <stdio.h>

/* The failures counted so far by one test program. */
typedef struct sc_expect {
    int failures;
} sc_expect;

/* When cond is false: prints the location and the printf-style message after it, and counts
 * one failure in *expect. */
#define SC_EXPECT(expect, cond, ...)                                                               \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("  FAIL %s:%d: ", __FILE__, __LINE__);                                          \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            (expect)->failures++;                                                                  \
        }                                                                                          \
    } while (0)

/* Prints "all passed", or "FAILED" after any failure; returns the exit status (0 or 1). */
static inline int sc_expect_finish(const sc_expect *expect) {
    printf("%s\n", expect->failures ? "FAILED" : "all passed");
    return expect->failures ? 1 : 0;
}

#endif

/* Gauss-Legendre nodes and weights (see gauss_legendre.h). The nodes on [-1, 1] are the roots
 * of P_n, found by Newton's method from Chebyshev-like guesses; w = 2 / ((1 - x^2) P_n'(x)^2).
 * Mapped to [0, 1]: t = (x + 1) / 2, weight w / 2. */
#include "gauss_legendre.h"

#include <math.h>

/* P_n(x) and P_n'(x) by the three-term recurrence. */
static void legendre(int n, double x, double *p, double *dp) {
    double p0 = 1.0, p1 = x;
    for (int k = 2; k <= n; k++) {
        double pk = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
        p0 = p1;
        p1 = pk;
    }
    *p = n == 0 ? 1.0 : p1;
    *dp = n * (x * p1 - p0) / (x * x - 1.0);
}

void sc_gauss_legendre_01(int n, double *nodes, double *weights) {
    const double pi = 3.14159265358979323846;
    for (int i = 0; i < n; i++) {
        /* the i-th largest root on [-1, 1], refined from its classical estimate */
        double x = cos(pi * (i + 0.75) / (n + 0.5));
        double p, dp;
        for (int iter = 0; iter < 100; iter++) {
            legendre(n, x, &p, &dp);
            double dx = p / dp;
            x -= dx;
            if (fabs(dx) < 1e-16)
                break;
        }
        legendre(n, x, &p, &dp);
        double w = 2.0 / ((1.0 - x * x) * dp * dp);
        nodes[n - 1 - i] = (x + 1.0) / 2.0; /* ascending */
        weights[n - 1 - i] = w / 2.0;
    }
}

/* Gauss-Legendre quadrature on [0, 1], for Integrated Gradients' path integral. */
#ifndef SC_GAUSS_LEGENDRE_H
#define SC_GAUSS_LEGENDRE_H

/* The n >= 1 nodes (ascending, in (0, 1)) and weights (summing to 1) of the n-point rule,
 * computed in double by Newton's method on the Legendre polynomial P_n. */
void sc_gauss_legendre_01(int n, double *nodes, double *weights);

#endif

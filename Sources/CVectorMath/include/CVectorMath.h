// Vectorised elementary functions for GradScope's hot loops (losses, activations).
// Each entry point picks an AVX-512, AVX2 or portable variant at run time; all variants
// compute the same polynomial approximations (accuracy a few ulp in double).
#pragma once
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// y[i] = exp(x[i]).
void gs_vexp_f64(const double *x, double *y, size_t n);
void gs_vexp_f32(const float *x, float *y, size_t n);
/// y[i] = 1 / (1 + exp(-x[i])).
void gs_vsigmoid_f64(const double *x, double *y, size_t n);
void gs_vsigmoid_f32(const float *x, float *y, size_t n);
/// Σ softplus(x[i]) = Σ max(x, 0) + log1p(exp(-|x|)), accumulated in double.
double gs_softplus_sum_f64(const double *x, size_t n);
double gs_softplus_sum_f32(const float *x, size_t n);
/// Σ over rows of log Σ_j exp(x[r, j]) (row-major, shifted by each row's max), in double.
double gs_logsumexp_rows_sum_f64(const double *x, size_t rows, size_t cols);
double gs_logsumexp_rows_sum_f32(const float *x, size_t rows, size_t cols);
/// The variant in use: "avx512", "avx2" or "portable".
const char *gs_vector_math_variant(void);

#ifdef __cplusplus
}
#endif

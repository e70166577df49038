// Internal declarations shared by the CGemmKernels translation units.
#ifndef CGEMM_INTERNAL_H
#define CGEMM_INTERNAL_H
#include "include/CGemmKernels.h"
#include <stddef.h>

#define CGEMM_MIN(a, b) ((a) < (b) ? (a) : (b))
#define CGEMM_ROUNDUP(x, a) ((((x) + (a) - 1) / (a)) * (a))

// Per-tier entry points (defined only where the tier exists).
#define CGEMM_DECLARE_TIER(tier)                                                        \
    void cgemm_smacro_##tier(int mc, int nc, int kc, float alpha, const float *a,        \
                             ptrdiff_t rsa, ptrdiff_t csa, int a_packed, const float *b,  \
                             ptrdiff_t rsb, int b_packed, float beta, float *c,           \
                             ptrdiff_t ldc);                                              \
    void cgemm_dmacro_##tier(int mc, int nc, int kc, double alpha, const double *a,      \
                             ptrdiff_t rsa, ptrdiff_t csa, int a_packed, const double *b, \
                             ptrdiff_t rsb, int b_packed, double beta, double *c,         \
                             ptrdiff_t ldc);

CGEMM_DECLARE_TIER(portable)
#if defined(__x86_64__)
CGEMM_DECLARE_TIER(avx2)
// The AVX-512 macro-kernels also take `addto` (see cgemm_smacro).
void cgemm_smacro_avx512(int mc, int nc, int kc, float alpha, const float *a, ptrdiff_t rsa,
                         ptrdiff_t csa, int a_packed, const float *b, ptrdiff_t rsb, int b_packed,
                         float beta, float *c, ptrdiff_t ldc, float *addto, ptrdiff_t ldadd);
void cgemm_dmacro_avx512(int mc, int nc, int kc, double alpha, const double *a, ptrdiff_t rsa,
                         ptrdiff_t csa, int a_packed, const double *b, ptrdiff_t rsb, int b_packed,
                         double beta, double *c, ptrdiff_t ldc, double *addto, ptrdiff_t ldadd);
void cgemm_sdot_nt_avx512(int m, int n, int k, float alpha, const float *a, ptrdiff_t lda,
                          const float *b, ptrdiff_t ldb, float beta, float *c, ptrdiff_t ldc);
void cgemm_ddot_nt_avx512(int m, int n, int k, double alpha, const double *a, ptrdiff_t lda,
                          const double *b, ptrdiff_t ldb, double beta, double *c, ptrdiff_t ldc);
// AVX transposing copies used by pack_b when B is stored transposed.
void cgemm_stranspose_pack_avx(int kc, int w, int cols, const float *b, ptrdiff_t ld, float *dst);
void cgemm_dtranspose_pack_avx(int kc, int w, int cols, const double *b, ptrdiff_t ld, double *dst);
// AVX-512 packing helpers (kernels_avx512.c).
void cgemm_copy_rows256_avx512(int kc, const void *s, ptrdiff_t rs, void *d);
void cgemm_stranspose_pack_avx512(int kc, int w, int cols, const float *b, ptrdiff_t ld, float *dst);
#endif
#if defined(__aarch64__)
CGEMM_DECLARE_TIER(neon)
#endif

#endif

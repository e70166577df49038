// NEON micro-kernels for arm64 (AArch64 always has Advanced SIMD with fused
// multiply-add). Tile: 4 rows x 16 floats (16 q accumulators) or 4 x 8
// doubles. Edges go through a small buffer. Not run on the x86 development
// machine; kept deliberately simple.
#include "internal.h"
#if defined(__aarch64__)
#include <arm_neon.h>

static void sneon_tile(long kc, const float *a, ptrdiff_t rsa, ptrdiff_t csa, int a_packed,
                       const float *b, float alpha, float beta, float *c, ptrdiff_t ldc, int mr, int nr)
{
    float32x4_t acc[4][4];
    for (int i = 0; i < 4; i++)
        for (int v = 0; v < 4; v++) acc[i][v] = vdupq_n_f32(0.0f);
    const float *rows[4];
    for (int i = 0; i < 4; i++) rows[i] = a_packed ? a + i : a + (i < mr ? i : 0) * rsa;
    const ptrdiff_t step = a_packed ? 4 : csa;
    for (long p = 0; p < kc; p++) {
        float32x4_t bv[4];
        for (int v = 0; v < 4; v++) bv[v] = vld1q_f32(b + p * 16 + v * 4);
        for (int i = 0; i < 4; i++) {
            const float ai = rows[i][p * step];
            for (int v = 0; v < 4; v++) acc[i][v] = vfmaq_n_f32(acc[i][v], bv[v], ai);
        }
    }
    float tmp[4][16];
    for (int i = 0; i < 4; i++)
        for (int v = 0; v < 4; v++) vst1q_f32(&tmp[i][v * 4], acc[i][v]);
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) {
            float *cij = c + i * ldc + j;
            *cij = (beta == 0.0f) ? alpha * tmp[i][j] : alpha * tmp[i][j] + beta * *cij;
        }
}

static void dneon_tile(long kc, const double *a, ptrdiff_t rsa, ptrdiff_t csa, int a_packed,
                       const double *b, double alpha, double beta, double *c, ptrdiff_t ldc, int mr, int nr)
{
    float64x2_t acc[4][4];
    for (int i = 0; i < 4; i++)
        for (int v = 0; v < 4; v++) acc[i][v] = vdupq_n_f64(0.0);
    const double *rows[4];
    for (int i = 0; i < 4; i++) rows[i] = a_packed ? a + i : a + (i < mr ? i : 0) * rsa;
    const ptrdiff_t step = a_packed ? 4 : csa;
    for (long p = 0; p < kc; p++) {
        float64x2_t bv[4];
        for (int v = 0; v < 4; v++) bv[v] = vld1q_f64(b + p * 8 + v * 2);
        for (int i = 0; i < 4; i++) {
            const double ai = rows[i][p * step];
            for (int v = 0; v < 4; v++) acc[i][v] = vfmaq_n_f64(acc[i][v], bv[v], ai);
        }
    }
    double tmp[4][8];
    for (int i = 0; i < 4; i++)
        for (int v = 0; v < 4; v++) vst1q_f64(&tmp[i][v * 2], acc[i][v]);
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) {
            double *cij = c + i * ldc + j;
            *cij = (beta == 0.0) ? alpha * tmp[i][j] : alpha * tmp[i][j] + beta * *cij;
        }
}

#define NEON_MACRO(T, name, tile, NR)                                                            \
    void cgemm_##name(int mc, int nc, int kc, T alpha, const T *a, ptrdiff_t rsa, ptrdiff_t csa, \
                      int a_packed, const T *bp, ptrdiff_t rsb, int b_packed, T beta, T *c,      \
                      ptrdiff_t ldc) {                                                           \
        (void)rsb; (void)b_packed; /* always a packed B block */                                 \
        for (int ir = 0; ir < mc; ir += 4) {                                                     \
            const int mr = CGEMM_MIN(4, mc - ir);                                                \
            const T *ap = a_packed ? a + (ptrdiff_t)ir * kc : a + ir * rsa;                      \
            for (int jr = 0; jr < nc; jr += NR)                                                  \
                tile(kc, ap, rsa, csa, a_packed, bp + (ptrdiff_t)jr * kc, alpha, beta,           \
                     c + ir * ldc + jr, ldc, mr, CGEMM_MIN(NR, nc - jr));                        \
        }                                                                                        \
    }
NEON_MACRO(float, smacro_neon, sneon_tile, 16)
NEON_MACRO(double, dmacro_neon, dneon_tile, 8)
#endif

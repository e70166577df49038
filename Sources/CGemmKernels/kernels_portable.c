// Portable micro-kernels: plain C written as `c + a*b` (no fma() calls, so a
// baseline build never turns them into libm calls). 4 x 8 register tile.
#include "internal.h"

#define PMR 4
#define PNR 8

#define PORTABLE_KERNEL(T, name)                                                                  \
    static void name##_tile(long kc, const T *a, ptrdiff_t rsa, ptrdiff_t csa, int a_packed,      \
                            const T *b, T alpha, T beta, T *c, ptrdiff_t ldc, int mr, int nr) {   \
        T acc[PMR][PNR];                                                                          \
        for (int i = 0; i < PMR; i++)                                                             \
            for (int j = 0; j < PNR; j++) acc[i][j] = (T)0;                                       \
        if (a_packed) {                                                                           \
            for (long p = 0; p < kc; p++) {                                                       \
                for (int i = 0; i < PMR; i++) {                                                   \
                    const T ai = a[p * PMR + i];                                                  \
                    for (int j = 0; j < PNR; j++) acc[i][j] = acc[i][j] + ai * b[p * PNR + j];    \
                }                                                                                 \
            }                                                                                     \
        } else {                                                                                  \
            const T *rows[PMR];                                                                   \
            for (int i = 0; i < PMR; i++) rows[i] = a + (i < mr ? i : 0) * rsa;                   \
            for (long p = 0; p < kc; p++) {                                                       \
                for (int i = 0; i < PMR; i++) {                                                   \
                    const T ai = rows[i][p * csa];                                                \
                    for (int j = 0; j < PNR; j++) acc[i][j] = acc[i][j] + ai * b[p * PNR + j];    \
                }                                                                                 \
            }                                                                                     \
        }                                                                                         \
        for (int i = 0; i < mr; i++) {                                                            \
            T *cr = c + i * ldc;                                                                  \
            for (int j = 0; j < nr; j++) {                                                        \
                if (beta == (T)0) cr[j] = alpha * acc[i][j];                                      \
                else cr[j] = alpha * acc[i][j] + beta * cr[j];                                    \
            }                                                                                     \
        }                                                                                         \
    }                                                                                             \
    void cgemm_##name(int mc, int nc, int kc, T alpha, const T *a, ptrdiff_t rsa, ptrdiff_t csa,  \
                      int a_packed, const T *bp, ptrdiff_t rsb, int b_packed, T beta, T *c,       \
                      ptrdiff_t ldc) {                                                            \
        (void)rsb; (void)b_packed; /* always a packed B block */                                  \
        for (int ir = 0; ir < mc; ir += PMR) {                                                    \
            const int mr = CGEMM_MIN(PMR, mc - ir);                                               \
            const T *ap = a_packed ? a + (ptrdiff_t)ir * kc : a + ir * rsa;                       \
            for (int jr = 0; jr < nc; jr += PNR) {                                                \
                const int nr = CGEMM_MIN(PNR, nc - jr);                                           \
                name##_tile(kc, ap, rsa, csa, a_packed, bp + (ptrdiff_t)jr * kc, alpha, beta,     \
                            c + ir * ldc + jr, ldc, mr, nr);                                      \
            }                                                                                     \
        }                                                                                         \
    }

PORTABLE_KERNEL(float, smacro_portable)
PORTABLE_KERNEL(double, dmacro_portable)

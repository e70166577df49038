// Tier dispatch, blocking parameters and packing routines.
#include "internal.h"
#include <string.h>

int cgemm_arch(void)
{
#if defined(__x86_64__)
    return 1;
#elif defined(__aarch64__)
    return 2;
#else
    return 0;
#endif
}

int cgemm_cpu_has_avx512f(void)
{
#if defined(__x86_64__)
    // __builtin_cpu_supports also checks that the OS saves the zmm state.
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma") ? 1 : 0;
#else
    return 0;
#endif
}

int cgemm_cpu_has_avx2_fma(void)
{
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
#else
    return 0;
#endif
}

int cgemm_kernel_supported(int kernel)
{
    switch (kernel) {
    case CGEMM_KERNEL_PORTABLE: return 1;
    case CGEMM_KERNEL_AVX2: return cgemm_cpu_has_avx2_fma();
    case CGEMM_KERNEL_AVX512: return cgemm_cpu_has_avx512f();
    case CGEMM_KERNEL_NEON: return cgemm_arch() == 2 ? 1 : 0;
    default: return 0;
    }
}

// Blocking. AVX-512 (Zen 4/5: 32-48 KiB L1D, 1 MiB L2 per core): the packed
// B block kc x nc stays in L2 and is streamed by the micro-kernel; the A
// micro-panel (6 x kc) stays in L1 across the jr loop. mc bounds the packed
// A block (only packed when A is stored transposed).
cgemm_blocking cgemm_get_blocking(int kernel, int is_double)
{
    cgemm_blocking b;
    switch (kernel) {
    case CGEMM_KERNEL_AVX512:
        if (is_double) b = (cgemm_blocking){6, 32, 256, 384, 1020, 8};
        else b = (cgemm_blocking){6, 64, 384, 384, 1020, 16};
        break;
    case CGEMM_KERNEL_AVX2:
        if (is_double) b = (cgemm_blocking){6, 8, 256, 384, 1020, 4};
        else b = (cgemm_blocking){6, 16, 256, 512, 1020, 8};
        break;
    case CGEMM_KERNEL_NEON:
        if (is_double) b = (cgemm_blocking){4, 8, 256, 256, 1024, 8};
        else b = (cgemm_blocking){4, 16, 256, 256, 1024, 16};
        break;
    default:
        b = (cgemm_blocking){4, 8, 256, 256, 1024, 8};
        break;
    }
    return b;
}

// Packing. The copies are written with compile-time panel sizes so the
// compiler emits straight vector moves instead of memcpy calls (the panels
// are 24-256 bytes; a call per row would cost as much as the copy).
#define PACK_FUNCS(T, P)                                                                          \
    static inline __attribute__((always_inline)) void P##pack_a_mr(                               \
        const int MR, int mc, int kc, const T *a, ptrdiff_t rsa, ptrdiff_t csa, T *ap) {           \
        for (int i0 = 0; i0 < mc; i0 += MR) {                                                     \
            const int rows = CGEMM_MIN(MR, mc - i0);                                              \
            T *d = ap + (ptrdiff_t)i0 * kc;                                                       \
            const T *s = a + i0 * rsa;                                                            \
            if (rsa == 1 && rows == MR) {                                                         \
                for (int p = 0; p < kc; p++) memcpy(d + p * MR, s + p * csa, sizeof(T) * MR);     \
            } else {                                                                              \
                for (int p = 0; p < kc; p++) {                                                    \
                    for (int i = 0; i < rows; i++) d[p * MR + i] = s[i * rsa + p * csa];          \
                    for (int i = rows; i < MR; i++) d[p * MR + i] = (T)0;                         \
                }                                                                                 \
            }                                                                                     \
        }                                                                                         \
    }                                                                                             \
    void cgemm_##P##pack_a(int kernel, int mc, int kc, const T *a, ptrdiff_t rsa, ptrdiff_t csa,  \
                           T *ap) {                                                               \
        if (cgemm_get_blocking(kernel, sizeof(T) == 8).mr == 6)                                   \
            P##pack_a_mr(6, mc, kc, a, rsa, csa, ap);                                             \
        else                                                                                      \
            P##pack_a_mr(4, mc, kc, a, rsa, csa, ap);                                             \
    }                                                                                             \
    static inline __attribute__((always_inline)) void P##pack_b_nr(                               \
        const int NR, int kernel, int align, int kc, int nc, const T *b, ptrdiff_t rsb,           \
        ptrdiff_t csb, T *bp) {                                                                   \
        for (int j0 = 0; j0 < nc; j0 += NR) {                                                     \
            const int cols = CGEMM_MIN(NR, nc - j0);                                              \
            const int w = cols == NR ? NR : CGEMM_ROUNDUP(cols, align);                           \
            T *d = bp + (ptrdiff_t)j0 * kc;                                                       \
            const T *s = b + j0 * csb;                                                            \
            if (csb == 1 && cols == NR && PACK_ROWS256(kernel, sizeof(T) * NR)) {                   \
                cgemm_copy_rows256_avx512(kc, s, rsb * (ptrdiff_t)sizeof(T), d);                  \
            } else if (csb == 1 && cols == NR) {                                                  \
                for (int p = 0; p < kc; p++) memcpy(d + (ptrdiff_t)p * NR, s + p * rsb, sizeof(T) * NR); \
            } else if (csb == 1) {                                                                \
                for (int p = 0; p < kc; p++) {                                                    \
                    for (int j = 0; j < cols; j++) d[(ptrdiff_t)p * w + j] = s[p * rsb + j];      \
                    for (int j = cols; j < w; j++) d[(ptrdiff_t)p * w + j] = (T)0;                \
                }                                                                                 \
            } else if (rsb == 1 && PACK_HAS_AVX(kernel)) {                                        \
                PACK_TRANSPOSE_##P(kernel, kc, w, cols, s, csb, d);                               \
            } else {                                                                              \
                for (int p = 0; p < kc; p++) {                                                    \
                    for (int j = 0; j < cols; j++) d[(ptrdiff_t)p * w + j] = s[p * rsb + j * csb];\
                    for (int j = cols; j < w; j++) d[(ptrdiff_t)p * w + j] = (T)0;                \
                }                                                                                 \
            }                                                                                     \
        }                                                                                         \
    }                                                                                             \
    void cgemm_##P##pack_b(int kernel, int kc, int nc, const T *b, ptrdiff_t rsb, ptrdiff_t csb,  \
                           T *bp) {                                                               \
        const cgemm_blocking bl = cgemm_get_blocking(kernel, sizeof(T) == 8);                     \
        switch (bl.nr) {                                                                          \
        case 64: P##pack_b_nr(64, kernel, bl.nr_align, kc, nc, b, rsb, csb, bp); break;           \
        case 32: P##pack_b_nr(32, kernel, bl.nr_align, kc, nc, b, rsb, csb, bp); break;           \
        case 16: P##pack_b_nr(16, kernel, bl.nr_align, kc, nc, b, rsb, csb, bp); break;           \
        default: P##pack_b_nr(8, kernel, bl.nr_align, kc, nc, b, rsb, csb, bp); break;            \
        }                                                                                         \
    }

#if defined(__x86_64__)
#define PACK_HAS_AVX(k) ((k) == CGEMM_KERNEL_AVX2 || (k) == CGEMM_KERNEL_AVX512)
// AVX-512: 256-byte panel rows copied with zmm moves (not a memcpy call per
// row); float transposes in 16 x 16 blocks.
#define PACK_ROWS256(k, bytes) ((k) == CGEMM_KERNEL_AVX512 && (bytes) == 256)
#define PACK_TRANSPOSE_s(k, ...) \
    ((k) == CGEMM_KERNEL_AVX512 ? cgemm_stranspose_pack_avx512(__VA_ARGS__) : cgemm_stranspose_pack_avx(__VA_ARGS__))
#define PACK_TRANSPOSE_d(k, ...) cgemm_dtranspose_pack_avx(__VA_ARGS__)
#else
#define PACK_ROWS256(k, bytes) 0
#define cgemm_copy_rows256_avx512(...) ((void)0)
#define PACK_HAS_AVX(k) 0
#define PACK_TRANSPOSE_s(...) ((void)0)
#define PACK_TRANSPOSE_d(...) ((void)0)
#endif

PACK_FUNCS(float, s)
PACK_FUNCS(double, d)

// The macro-kernel of the chosen tier. AVX-512 does `addto += C` inside its
// micro-kernel; the other tiers add after their macro-kernel.
#if defined(__x86_64__)
#define MACRO_X86(P)                                                                              \
    if (kernel == CGEMM_KERNEL_AVX512) {                                                          \
        cgemm_##P##macro_avx512(mc, nc, kc, alpha, a, rsa, csa, a_packed, bp, rsb, b_packed, beta, \
                                c, ldc, addto, ldadd);                                            \
        return;                                                                                   \
    }                                                                                             \
    if (kernel == CGEMM_KERNEL_AVX2)                                                              \
        cgemm_##P##macro_avx2(mc, nc, kc, alpha, a, rsa, csa, a_packed, bp, rsb, b_packed, beta, c, ldc); \
    else
#else
#define MACRO_X86(P)
#endif
#if defined(__aarch64__)
#define MACRO_NEON(P)                                                                             \
    if (kernel == CGEMM_KERNEL_NEON)                                                              \
        cgemm_##P##macro_neon(mc, nc, kc, alpha, a, rsa, csa, a_packed, bp, rsb, b_packed, beta, c, ldc); \
    else
#else
#define MACRO_NEON(P)
#endif
#define MACRO_FUNCS(T, P)                                                                         \
    void cgemm_##P##macro(int kernel, int mc, int nc, int kc, T alpha, const T *a, ptrdiff_t rsa, \
                          ptrdiff_t csa, int a_packed, const T *bp, ptrdiff_t rsb, int b_packed,  \
                          T beta, T *c, ptrdiff_t ldc, T *addto, ptrdiff_t ldadd)                 \
    {                                                                                             \
        MACRO_X86(P)                                                                              \
        MACRO_NEON(P)                                                                             \
        cgemm_##P##macro_portable(mc, nc, kc, alpha, a, rsa, csa, a_packed, bp, rsb, b_packed, beta, c, ldc); \
        if (addto) {                                                                              \
            for (int i = 0; i < mc; i++)                                                          \
                for (int j = 0; j < nc; j++) addto[i * ldadd + j] += c[i * ldc + j];              \
        }                                                                                         \
    }
MACRO_FUNCS(float, s)
MACRO_FUNCS(double, d)

int cgemm_supports_unpacked_b(int kernel)
{
    return kernel == CGEMM_KERNEL_AVX512 ? 1 : 0;
}

int cgemm_supports_dot_nt(int kernel)
{
    return kernel == CGEMM_KERNEL_AVX512 ? 1 : 0;
}

int cgemm_sgemm_dot_nt(int kernel, int m, int n, int k, float alpha, const float *a, ptrdiff_t lda,
                       const float *b, ptrdiff_t ldb, float beta, float *c, ptrdiff_t ldc)
{
#if defined(__x86_64__)
    if (kernel == CGEMM_KERNEL_AVX512) {
        cgemm_sdot_nt_avx512(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return 1;
    }
#endif
    (void)kernel; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda;
    (void)b; (void)ldb; (void)beta; (void)c; (void)ldc;
    return 0;
}

int cgemm_dgemm_dot_nt(int kernel, int m, int n, int k, double alpha, const double *a, ptrdiff_t lda,
                       const double *b, ptrdiff_t ldb, double beta, double *c, ptrdiff_t ldc)
{
#if defined(__x86_64__)
    if (kernel == CGEMM_KERNEL_AVX512) {
        cgemm_ddot_nt_avx512(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return 1;
    }
#endif
    (void)kernel; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda;
    (void)b; (void)ldb; (void)beta; (void)c; (void)ldc;
    return 0;
}

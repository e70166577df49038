// AVX2 + FMA micro-kernels (x86-64 CPUs without AVX-512), plus the AVX
// transposing copies used to pack a transposed B operand (shared with the
// AVX-512 tier, which implies AVX2).
#include "internal.h"
#if defined(__x86_64__)
#include <immintrin.h>

#define T256 __attribute__((target("avx2,fma")))

#define T float
#define V __m256
#define VL 8
#define VZERO _mm256_setzero_ps
#define VLOAD _mm256_load_ps
#define VLOADU _mm256_loadu_ps
#define VSTOREU _mm256_storeu_ps
#define VSET1 _mm256_set1_ps
#define VFMA _mm256_fmadd_ps
#define VMUL _mm256_mul_ps
#define TK(name) s256_##name
#define TMACRO cgemm_smacro_avx2
#include "avx2_template.h"
#undef T
#undef V
#undef VL
#undef VZERO
#undef VLOAD
#undef VLOADU
#undef VSTOREU
#undef VSET1
#undef VFMA
#undef VMUL
#undef TK
#undef TMACRO

#define T double
#define V __m256d
#define VL 4
#define VZERO _mm256_setzero_pd
#define VLOAD _mm256_load_pd
#define VLOADU _mm256_loadu_pd
#define VSTOREU _mm256_storeu_pd
#define VSET1 _mm256_set1_pd
#define VFMA _mm256_fmadd_pd
#define VMUL _mm256_mul_pd
#define TK(name) d256_##name
#define TMACRO cgemm_dmacro_avx2
#include "avx2_template.h"

// Transposing pack of a B panel whose columns are contiguous in memory
// (B stored n x k, op(B) = stored^T): source column j, depth p at b[j*ld + p].
// Writes dst[p*w + j] for p < kc, j < cols; columns cols..w-1 are zero.
T256 void cgemm_stranspose_pack_avx(int kc, int w, int cols, const float *b, ptrdiff_t ld, float *dst)
{
    int j = 0;
    for (; j + 8 <= cols; j += 8) {
        const float *s = b + j * ld;
        int p = 0;
        for (; p + 8 <= kc; p += 8) {
            __m256 r0 = _mm256_loadu_ps(s + 0 * ld + p), r1 = _mm256_loadu_ps(s + 1 * ld + p);
            __m256 r2 = _mm256_loadu_ps(s + 2 * ld + p), r3 = _mm256_loadu_ps(s + 3 * ld + p);
            __m256 r4 = _mm256_loadu_ps(s + 4 * ld + p), r5 = _mm256_loadu_ps(s + 5 * ld + p);
            __m256 r6 = _mm256_loadu_ps(s + 6 * ld + p), r7 = _mm256_loadu_ps(s + 7 * ld + p);
            __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
            __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
            __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
            __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
            __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
            __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
            __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
            __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
            float *d = dst + (ptrdiff_t)p * w + j;
            _mm256_storeu_ps(d + 0 * w, _mm256_permute2f128_ps(u0, u4, 0x20));
            _mm256_storeu_ps(d + 1 * w, _mm256_permute2f128_ps(u1, u5, 0x20));
            _mm256_storeu_ps(d + 2 * w, _mm256_permute2f128_ps(u2, u6, 0x20));
            _mm256_storeu_ps(d + 3 * w, _mm256_permute2f128_ps(u3, u7, 0x20));
            _mm256_storeu_ps(d + 4 * w, _mm256_permute2f128_ps(u0, u4, 0x31));
            _mm256_storeu_ps(d + 5 * w, _mm256_permute2f128_ps(u1, u5, 0x31));
            _mm256_storeu_ps(d + 6 * w, _mm256_permute2f128_ps(u2, u6, 0x31));
            _mm256_storeu_ps(d + 7 * w, _mm256_permute2f128_ps(u3, u7, 0x31));
        }
        for (; p < kc; p++)
            for (int q = 0; q < 8; q++) dst[(ptrdiff_t)p * w + j + q] = s[q * ld + p];
    }
    for (int p = 0; p < kc; p++) {
        float *d = dst + (ptrdiff_t)p * w;
        for (int q = j; q < cols; q++) d[q] = b[q * ld + p];
        for (int q = cols; q < w; q++) d[q] = 0.0f;
    }
}

T256 void cgemm_dtranspose_pack_avx(int kc, int w, int cols, const double *b, ptrdiff_t ld, double *dst)
{
    int j = 0;
    for (; j + 4 <= cols; j += 4) {
        const double *s = b + j * ld;
        int p = 0;
        for (; p + 4 <= kc; p += 4) {
            __m256d r0 = _mm256_loadu_pd(s + 0 * ld + p), r1 = _mm256_loadu_pd(s + 1 * ld + p);
            __m256d r2 = _mm256_loadu_pd(s + 2 * ld + p), r3 = _mm256_loadu_pd(s + 3 * ld + p);
            __m256d t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1);
            __m256d t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
            double *d = dst + (ptrdiff_t)p * w + j;
            _mm256_storeu_pd(d + 0 * w, _mm256_permute2f128_pd(t0, t2, 0x20));
            _mm256_storeu_pd(d + 1 * w, _mm256_permute2f128_pd(t1, t3, 0x20));
            _mm256_storeu_pd(d + 2 * w, _mm256_permute2f128_pd(t0, t2, 0x31));
            _mm256_storeu_pd(d + 3 * w, _mm256_permute2f128_pd(t1, t3, 0x31));
        }
        for (; p < kc; p++)
            for (int q = 0; q < 4; q++) dst[(ptrdiff_t)p * w + j + q] = s[q * ld + p];
    }
    for (int p = 0; p < kc; p++) {
        double *d = dst + (ptrdiff_t)p * w;
        for (int q = j; q < cols; q++) d[q] = b[q * ld + p];
        for (int q = cols; q < w; q++) d[q] = 0.0;
    }
}
#endif

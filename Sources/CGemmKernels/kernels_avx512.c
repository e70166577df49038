// AVX-512F + FMA micro-kernels (x86-64). Compiled with target attributes so a
// plain baseline build contains them; selected at run time.
#include "internal.h"
#if defined(__x86_64__)
#include <immintrin.h>

#define T512 __attribute__((target("avx512f,fma")))

// ---- float: 6 x 64 tile
#define T float
#define V __m512
#define VL 16
#define MASKT __mmask16
#define VZERO _mm512_setzero_ps
#define VLOAD _mm512_load_ps
#define VLOADU _mm512_loadu_ps
#define VSET1 _mm512_set1_ps
#define VFMA _mm512_fmadd_ps
#define VMUL _mm512_mul_ps
#define VADD _mm512_add_ps
#define VMASKZLOAD _mm512_maskz_loadu_ps
#define VMASKSTORE _mm512_mask_storeu_ps
#define TK(name) s512_##name
#define TMACRO cgemm_smacro_avx512
#define TD(name) sdot512_##name
#define TDOT cgemm_sdot_nt_avx512
#include "avx512_template.h"

// Sum of each of four vectors: out[j] = sum(xj).
static inline __attribute__((always_inline)) T512 void sdot512_reduce4(__m512 x0, __m512 x1, __m512 x2, __m512 x3, float *out)
{
    const __m512 s01 = _mm512_add_ps(_mm512_unpacklo_ps(x0, x1), _mm512_unpackhi_ps(x0, x1));
    const __m512 s23 = _mm512_add_ps(_mm512_unpacklo_ps(x2, x3), _mm512_unpackhi_ps(x2, x3));
    // Per 128-bit lane: [x0, x1, x2, x3] partial sums.
    __m512 t = _mm512_add_ps(_mm512_shuffle_ps(s01, s23, 0x44), _mm512_shuffle_ps(s01, s23, 0xEE));
    t = _mm512_add_ps(t, _mm512_shuffle_f32x4(t, t, 0x4E));
    t = _mm512_add_ps(t, _mm512_shuffle_f32x4(t, t, 0xB1));
    _mm_storeu_ps(out, _mm512_castps512_ps128(t));
}
#include "avx512_dot_template.h"
#undef T
#undef V
#undef VL
#undef MASKT
#undef VZERO
#undef VLOAD
#undef VLOADU
#undef VSET1
#undef VFMA
#undef VMUL
#undef VADD
#undef VMASKZLOAD
#undef VMASKSTORE
#undef TK
#undef TMACRO
#undef TD
#undef TDOT

// ---- double: 6 x 32 tile
#define T double
#define V __m512d
#define VL 8
#define MASKT __mmask8
#define VZERO _mm512_setzero_pd
#define VLOAD _mm512_load_pd
#define VLOADU _mm512_loadu_pd
#define VSET1 _mm512_set1_pd
#define VFMA _mm512_fmadd_pd
#define VMUL _mm512_mul_pd
#define VADD _mm512_add_pd
#define VMASKZLOAD _mm512_maskz_loadu_pd
#define VMASKSTORE _mm512_mask_storeu_pd
#define TK(name) d512_##name
#define TMACRO cgemm_dmacro_avx512
#define TD(name) ddot512_##name
#define TDOT cgemm_ddot_nt_avx512
#include "avx512_template.h"

static inline __attribute__((always_inline)) T512 void ddot512_reduce4(__m512d x0, __m512d x1, __m512d x2, __m512d x3, double *out)
{
    const __m512d s01 = _mm512_add_pd(_mm512_unpacklo_pd(x0, x1), _mm512_unpackhi_pd(x0, x1));
    const __m512d s23 = _mm512_add_pd(_mm512_unpacklo_pd(x2, x3), _mm512_unpackhi_pd(x2, x3));
    // 128-bit lanes of u: [s01 l0+l1, s01 l2+l3, s23 l0+l1, s23 l2+l3].
    __m512d u = _mm512_add_pd(_mm512_shuffle_f64x2(s01, s23, 0x88), _mm512_shuffle_f64x2(s01, s23, 0xDD));
    u = _mm512_add_pd(u, _mm512_shuffle_f64x2(u, u, 0xB1));
    // lane 0 = (x0, x1), lane 2 = (x2, x3).
    const __m512d w = _mm512_shuffle_f64x2(u, u, 0x08);
    _mm256_storeu_pd(out, _mm512_castpd512_pd256(w));
}
#include "avx512_dot_template.h"

#endif

#if defined(__x86_64__)
// ---- Packing helpers for the AVX-512 tier (called from dispatch.c).

// Copies kc rows of 256 bytes (one 64-float / 32-double panel row) from s
// (row stride rs bytes) to the contiguous panel d: four zmm moves a row
// instead of a memcpy call.
T512 void cgemm_copy_rows256_avx512(int kc, const void *s, ptrdiff_t rs, void *d)
{
    const char *src = (const char *)s;
    char *dst = (char *)d;
    for (int p = 0; p < kc; p++) {
        const __m512 x0 = _mm512_loadu_ps(src + 0), x1 = _mm512_loadu_ps(src + 64);
        const __m512 x2 = _mm512_loadu_ps(src + 128), x3 = _mm512_loadu_ps(src + 192);
        _mm512_store_ps(dst + 0, x0);
        _mm512_store_ps(dst + 64, x1);
        _mm512_store_ps(dst + 128, x2);
        _mm512_store_ps(dst + 192, x3);
        src += rs;
        dst += 256;
    }
}

// Transposing pack of B stored transposed (B^T is cols x kc, row stride ld):
// dst[p*w + j] = b[j*ld + p] for j < cols, zeros for cols <= j < w.
// 16 x 16 blocks: 16 full-line row loads, 64 in-register shuffles, 16 stores.
T512 void cgemm_stranspose_pack_avx512(int kc, int w, int cols, const float *b, ptrdiff_t ld, float *dst)
{
    int j = 0;
    for (; j + 16 <= cols; j += 16) {
        const float *s = b + j * ld;
        int p = 0;
        for (; p + 16 <= kc; p += 16) {
            __m512 r[16], t[16], u[16];
            for (int i = 0; i < 16; i++) r[i] = _mm512_loadu_ps(s + i * ld + p);
            for (int i = 0; i < 8; i++) {
                t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
                t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
            }
            // u[4g + c] lane L = column 4L + c of rows 4g..4g+3.
            for (int g = 0; g < 4; g++) {
                u[4 * g + 0] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
                u[4 * g + 1] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
                u[4 * g + 2] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
                u[4 * g + 3] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
            }
            float *d = dst + (ptrdiff_t)p * w + j;
            for (int c = 0; c < 4; c++) {
                const __m512 v0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x88);
                const __m512 v1 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xDD);
                const __m512 v2 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x88);
                const __m512 v3 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xDD);
                _mm512_storeu_ps(d + (ptrdiff_t)(0 + c) * w, _mm512_shuffle_f32x4(v0, v2, 0x88));
                _mm512_storeu_ps(d + (ptrdiff_t)(4 + c) * w, _mm512_shuffle_f32x4(v1, v3, 0x88));
                _mm512_storeu_ps(d + (ptrdiff_t)(8 + c) * w, _mm512_shuffle_f32x4(v0, v2, 0xDD));
                _mm512_storeu_ps(d + (ptrdiff_t)(12 + c) * w, _mm512_shuffle_f32x4(v1, v3, 0xDD));
            }
        }
        for (; p < kc; p++)
            for (int q = 0; q < 16; q++) dst[(ptrdiff_t)p * w + j + q] = s[q * ld + p];
    }
    for (int p = 0; p < kc; p++) {
        float *d = dst + (ptrdiff_t)p * w;
        for (int q = j; q < cols; q++) d[q] = b[q * ld + p];
        for (int q = cols; q < w; q++) d[q] = 0.0f;
    }
}
#endif

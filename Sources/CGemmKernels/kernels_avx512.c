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

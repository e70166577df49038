// AVX2 + FMA micro-kernel template, included twice by kernels_avx2.c.
// Register tile: 6 rows x 2 ymm vectors (12 accumulators + 2 B vectors + 1
// broadcast = 15 of 16 ymm registers), the classic Haswell-class shape.

static inline __attribute__((always_inline)) T256 void
TK(body)(const int NV, const int PACKED, long kc, const T *restrict a, ptrdiff_t rsa,
         ptrdiff_t csa, const T *restrict b, T alpha, T beta, T *restrict c,
         ptrdiff_t ldc, int mr, int nr)
{
    V acc[6][2];
    for (int i = 0; i < 6; i++)
        for (int v = 0; v < NV; v++) acc[i][v] = VZERO();
    for (int i = 0; i < mr; i++) _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);

    if (PACKED) {
#pragma clang loop unroll_count(4)
        for (long p = 0; p < kc; p++) {
            V bv[2];
            for (int v = 0; v < NV; v++) bv[v] = VLOAD(b + v * VL);
            for (int i = 0; i < 6; i++) {
                V ai = VSET1(a[i]);
                for (int v = 0; v < NV; v++) acc[i][v] = VFMA(ai, bv[v], acc[i][v]);
            }
            a += 6;
            b += NV * VL;
        }
    } else {
        const T *rows[6];
        for (int i = 0; i < 6; i++) rows[i] = a + (i < mr ? i : 0) * rsa;
#pragma clang loop unroll_count(4)
        for (long p = 0; p < kc; p++) {
            V bv[2];
            for (int v = 0; v < NV; v++) bv[v] = VLOAD(b + v * VL);
            const ptrdiff_t off = p * csa;
            for (int i = 0; i < 6; i++) {
                V ai = VSET1(rows[i][off]);
                for (int v = 0; v < NV; v++) acc[i][v] = VFMA(ai, bv[v], acc[i][v]);
            }
            b += NV * VL;
        }
    }

    const V va = VSET1(alpha), vb = VSET1(beta);
    if (nr == NV * VL) {
        for (int i = 0; i < 6; i++) {
            if (i >= mr) break;
            T *cr = c + i * ldc;
            for (int v = 0; v < NV; v++) {
                V r;
                if (beta == (T)0) r = VMUL(va, acc[i][v]);
                else if (beta == (T)1) r = VFMA(va, acc[i][v], VLOADU(cr + v * VL));
                else r = VFMA(va, acc[i][v], VMUL(vb, VLOADU(cr + v * VL)));
                VSTOREU(cr + v * VL, r);
            }
        }
    } else {
        // Partial tile: spill to a small buffer and merge the valid columns.
        T tmp[6][2 * VL];
        for (int i = 0; i < 6; i++)
            for (int v = 0; v < NV; v++) VSTOREU(&tmp[i][v * VL], acc[i][v]);
        for (int i = 0; i < mr; i++) {
            T *cr = c + i * ldc;
            for (int j = 0; j < nr; j++) {
                if (beta == (T)0) cr[j] = alpha * tmp[i][j];
                else cr[j] = alpha * tmp[i][j] + beta * cr[j];
            }
        }
    }
}

#define TK_INST(NV, PK)                                                                     \
    static T256 __attribute__((noinline)) void TK(k##NV##_##PK)(                           \
        long kc, const T *a, ptrdiff_t rsa, ptrdiff_t csa, const T *b, T alpha, T beta,     \
        T *c, ptrdiff_t ldc, int mr, int nr) {                                              \
        TK(body)(NV, PK, kc, a, rsa, csa, b, alpha, beta, c, ldc, mr, nr);                  \
    }
TK_INST(1, 0) TK_INST(2, 0) TK_INST(1, 1) TK_INST(2, 1)
#undef TK_INST

typedef void (*TK(fn))(long, const T *, ptrdiff_t, ptrdiff_t, const T *, T, T, T *, ptrdiff_t, int, int);

T256 void TMACRO(int mc, int nc, int kc, T alpha, const T *a, ptrdiff_t rsa, ptrdiff_t csa,
                 int a_packed, const T *bp, ptrdiff_t rsb, int b_packed, T beta, T *c, ptrdiff_t ldc)
{
    (void)rsb;
    (void)b_packed; // this tier always reads a packed B block
    static const TK(fn) table[2][2] = {{TK(k1_0), TK(k2_0)}, {TK(k1_1), TK(k2_1)}};
    const int NR = 2 * VL;
    for (int ir = 0; ir < mc; ir += 6) {
        const int mr = CGEMM_MIN(6, mc - ir);
        const T *ap = a_packed ? a + (ptrdiff_t)ir * kc : a + ir * rsa;
        for (int jr = 0; jr < nc; jr += NR) {
            const int nr = CGEMM_MIN(NR, nc - jr);
            const int nv = (nr + VL - 1) / VL;
            table[a_packed ? 1 : 0][nv - 1](kc, ap, rsa, csa, bp + (ptrdiff_t)jr * kc, alpha, beta,
                                            c + ir * ldc + jr, ldc, mr, nr);
        }
    }
}

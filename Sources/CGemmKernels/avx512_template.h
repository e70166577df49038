// AVX-512 micro-kernel template, included twice by kernels_avx512.c (float,
// double). Main register tile: 6 rows x 4 zmm vectors (24 accumulators, 4 B
// vectors, 1 broadcast = 29 of 32 zmm registers). Per k step: 4 aligned loads
// of the packed B panel (streamed from L2), 6 broadcasts of A (resident in
// L1), 24 FMAs = 12 cycles on a core with two 512-bit FMA pipes.
// Narrow blocks (one vector of columns) use 12 rows x 1 vector so that at
// least 8 independent FMA chains hide the 4-cycle FMA latency.

#define UNROLL _Pragma("clang loop unroll(full)")

// Kernel body; MRW (6 or 12 rows), NV (1...4 vectors) and PACKED are
// compile-time constants after inlining, so the accumulators live in
// registers. Packed A: rows 0-5 at a[p*6 + i], rows 6-11 at a2[p*6 + i-6].
static inline __attribute__((always_inline)) T512 void
TK(body)(const int MRW, const int NV, const int PACKED, const int BPACKED, long kc,
         const T *restrict a, const T *restrict a2, ptrdiff_t rsa, ptrdiff_t csa,
         const T *restrict b, ptrdiff_t rsb, T alpha, T beta, T *restrict c, ptrdiff_t ldc,
         int mr, int nr, T *restrict addto, ptrdiff_t ldadd)
{
    // B is either a packed panel (row stride NV*VL, aligned, zero padded) or
    // read in place (row stride rsb; the last vector is a masked load so no
    // column past nr is touched).
    const ptrdiff_t bs = BPACKED ? NV * VL : rsb;
    const int tail = nr - (NV - 1) * VL;
    const MASKT last = (tail >= VL) ? (MASKT)~0 : (MASKT)((1u << tail) - 1u);
    V acc[12][4];
    UNROLL for (int i = 0; i < MRW; i++)
        UNROLL for (int v = 0; v < NV; v++) acc[i][v] = VZERO();

    // Prefetch the C tile so the final update does not stall on memory.
    for (int i = 0; i < mr; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + NV * VL - 1), _MM_HINT_T0);
    }
    // Likewise the tile of the matrix the result is added to (momentum's w += v), so that its
    // read overlaps the k loop instead of following the whole block.
    if (addto) {
        for (int i = 0; i < mr; i++) {
            _mm_prefetch((const char *)(addto + i * ldadd), _MM_HINT_T0);
            _mm_prefetch((const char *)(addto + i * ldadd + NV * VL - 1), _MM_HINT_T0);
        }
    }

    const T *rows[12];
    UNROLL for (int i = 0; i < MRW; i++) rows[i] = a + (i < mr ? i : 0) * rsa;

#pragma clang loop unroll_count(4)
    for (long p = 0; p < kc; p++) {
        V bv[4];
        if (BPACKED) {
            UNROLL for (int v = 0; v < NV; v++) bv[v] = VLOAD(b + v * VL);
        } else {
            UNROLL for (int v = 0; v < NV; v++)
                bv[v] = v == NV - 1 ? VMASKZLOAD(last, b + v * VL) : VLOADU(b + v * VL);
        }
        UNROLL for (int i = 0; i < MRW; i++) {
            V ai;
            if (PACKED) ai = VSET1(i < 6 ? a[p * 6 + i] : a2[p * 6 + i - 6]);
            else ai = VSET1(rows[i][p * csa]);
            UNROLL for (int v = 0; v < NV; v++) acc[i][v] = VFMA(ai, bv[v], acc[i][v]);
        }
        b += bs;
    }

    const V va = VSET1(alpha), vb = VSET1(beta);
    if (beta == (T)0) {
        UNROLL for (int i = 0; i < MRW; i++) {
            if (i < mr) {
                UNROLL for (int v = 0; v < NV; v++)
                    VMASKSTORE(c + i * ldc + v * VL, v == NV - 1 ? last : (MASKT)~0, VMUL(va, acc[i][v]));
            }
        }
    } else if (beta == (T)1) {
        UNROLL for (int i = 0; i < MRW; i++) {
            if (i < mr) {
                UNROLL for (int v = 0; v < NV; v++) {
                    const MASKT mk = v == NV - 1 ? last : (MASKT)~0;
                    T *cp = c + i * ldc + v * VL;
                    VMASKSTORE(cp, mk, VFMA(va, acc[i][v], VMASKZLOAD(mk, cp)));
                }
            }
        }
    } else {
        UNROLL for (int i = 0; i < MRW; i++) {
            if (i < mr) {
                UNROLL for (int v = 0; v < NV; v++) {
                    const MASKT mk = v == NV - 1 ? last : (MASKT)~0;
                    T *cp = c + i * ldc + v * VL;
                    VMASKSTORE(cp, mk, VFMA(va, acc[i][v], VMUL(vb, VMASKZLOAD(mk, cp))));
                }
            }
        }
    }
    // addto += C, from the tile just stored (the same bits as a separate y += c pass).
    if (addto) {
        UNROLL for (int i = 0; i < MRW; i++) {
            if (i < mr) {
                UNROLL for (int v = 0; v < NV; v++) {
                    const MASKT mk = v == NV - 1 ? last : (MASKT)~0;
                    T *yp = addto + i * ldadd + v * VL;
                    VMASKSTORE(yp, mk, VADD(VMASKZLOAD(mk, yp), VMASKZLOAD(mk, c + i * ldc + v * VL)));
                }
            }
        }
    }
}

#define TK_INST(MRW, NV, PK, BP)                                                                  \
    static T512 __attribute__((noinline)) void TK(k##MRW##x##NV##_##PK##BP)(                     \
        long kc, const T *a, const T *a2, ptrdiff_t rsa, ptrdiff_t csa, const T *b,              \
        ptrdiff_t rsb, T alpha, T beta, T *c, ptrdiff_t ldc, int mr, int nr, T *y, ptrdiff_t ldy) { \
        TK(body)(MRW, NV, PK, BP, kc, a, a2, rsa, csa, b, rsb, alpha, beta, c, ldc, mr, nr, y, ldy); \
    }
#define TK_INST_NV(PK, BP) TK_INST(6, 1, PK, BP) TK_INST(6, 2, PK, BP) TK_INST(6, 3, PK, BP) \
    TK_INST(6, 4, PK, BP) TK_INST(12, 1, PK, BP)
TK_INST_NV(0, 0) TK_INST_NV(0, 1) TK_INST_NV(1, 0) TK_INST_NV(1, 1)
#undef TK_INST_NV
#undef TK_INST

typedef void (*TK(fn))(long, const T *, const T *, ptrdiff_t, ptrdiff_t, const T *, ptrdiff_t, T,
                       T, T *, ptrdiff_t, int, int, T *, ptrdiff_t);

// Loops 2 and 1 around the micro-kernel. A: packed (a_packed) or in place
// with strides rsa/csa. B: a packed block (b_packed; panel jr at b + jr*kc)
// or in place with row stride rsb and unit column stride.
T512 void TMACRO(int mc, int nc, int kc, T alpha, const T *a, ptrdiff_t rsa, ptrdiff_t csa,
                 int a_packed, const T *b, ptrdiff_t rsb, int b_packed, T beta, T *c, ptrdiff_t ldc,
                 T *addto, ptrdiff_t ldadd)
{
#define ROW(PK, BP) {TK(k6x1_##PK##BP), TK(k6x2_##PK##BP), TK(k6x3_##PK##BP), TK(k6x4_##PK##BP), TK(k12x1_##PK##BP)}
    static const TK(fn) table[2][2][5] = {{ROW(0, 0), ROW(0, 1)}, {ROW(1, 0), ROW(1, 1)}};
#undef ROW
    const TK(fn) *kern = table[a_packed ? 1 : 0][b_packed ? 1 : 0];
    const int NR = 4 * VL;
    if (nc <= VL) {
        // One narrow panel: 12-row kernel (two A micro-panels at once) so at
        // least 8 independent accumulators hide the FMA latency.
        for (int ir = 0; ir < mc; ir += 12) {
            const int mr = CGEMM_MIN(12, mc - ir);
            const T *ap = a_packed ? a + (ptrdiff_t)ir * kc : a + ir * rsa;
            const T *ap2 = a_packed ? ap + (ptrdiff_t)6 * kc : ap;
            kern[mr <= 6 ? 0 : 4](kc, ap, ap2, rsa, csa, b, rsb, alpha, beta, c + ir * ldc, ldc, mr, nc,
                                  addto ? addto + ir * ldadd : NULL, ldadd);
        }
        return;
    }
    for (int ir = 0; ir < mc; ir += 6) {
        const int mr = CGEMM_MIN(6, mc - ir);
        const T *ap = a_packed ? a + (ptrdiff_t)ir * kc : a + ir * rsa;
        for (int jr = 0; jr < nc; jr += NR) {
            const int nr = CGEMM_MIN(NR, nc - jr);
            const int nv = (nr + VL - 1) / VL;
            const T *bj = b_packed ? b + (ptrdiff_t)jr * kc : b + jr;
            kern[nv - 1](kc, ap, ap, rsa, csa, bj, rsb, alpha, beta, c + ir * ldc + jr, ldc, mr, nr,
                         addto ? addto + ir * ldadd + jr : NULL, ldadd);
        }
    }
}
#undef UNROLL

// AVX-512 dot-product kernel for C = alpha*A*B^T + beta*C with A (m x k) and
// B (n x k) both contiguous along k, used when n is too narrow for the
// 6 x 64 register tile (e.g. the 10-wide output layer of a training step):
// vectors run along k, so no lane is wasted and no operand is packed.
// Tile: 4 rows of A x NJ (1...4) rows of B = up to 16 accumulators; per VL
// values of k: 4 + NJ loads and 4*NJ FMAs; horizontal sums at the end.

static inline __attribute__((always_inline)) T512 void
TD(tile)(const int NJ, long k, const T *restrict a, ptrdiff_t lda, int mi, const T *restrict b,
         ptrdiff_t ldb, T alpha, T beta, T *restrict c, ptrdiff_t ldc)
{
    const T *ar[4];
    for (int i = 0; i < 4; i++) ar[i] = a + (i < mi ? i : 0) * lda;
    const T *br[4];
    for (int j = 0; j < 4; j++) br[j] = b + (j < NJ ? j : 0) * ldb;
    V acc[4][4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) acc[i][j] = VZERO();
    long p = 0;
    for (; p + VL <= k; p += VL) {
        V bv[4];
        for (int j = 0; j < NJ; j++) bv[j] = VLOADU(br[j] + p);
        for (int i = 0; i < 4; i++) {
            const V av = VLOADU(ar[i] + p);
            for (int j = 0; j < NJ; j++) acc[i][j] = VFMA(av, bv[j], acc[i][j]);
        }
    }
    if (p < k) {
        const MASKT mk = (MASKT)((1u << (k - p)) - 1u);
        V bv[4];
        for (int j = 0; j < NJ; j++) bv[j] = VMASKZLOAD(mk, br[j] + p);
        for (int i = 0; i < 4; i++) {
            const V av = VMASKZLOAD(mk, ar[i] + p);
            for (int j = 0; j < NJ; j++) acc[i][j] = VFMA(av, bv[j], acc[i][j]);
        }
    }
    _Pragma("clang loop unroll(full)") for (int i = 0; i < 4; i++) {
        if (i >= mi) break;
        T sums[4];
        TD(reduce4)(acc[i][0], acc[i][1], acc[i][2], acc[i][3], sums);
        T *cr = c + i * ldc;
        for (int j = 0; j < NJ; j++) {
            if (beta == (T)0) cr[j] = alpha * sums[j];
            else cr[j] = alpha * sums[j] + beta * cr[j];
        }
    }
}

#define TD_INST(NJ)                                                                                \
    static T512 __attribute__((noinline)) void TD(t##NJ)(long k, const T *a, ptrdiff_t lda, int mi, \
        const T *b, ptrdiff_t ldb, T alpha, T beta, T *c, ptrdiff_t ldc) {                          \
        TD(tile)(NJ, k, a, lda, mi, b, ldb, alpha, beta, c, ldc);                                   \
    }
TD_INST(1) TD_INST(2) TD_INST(3) TD_INST(4)
#undef TD_INST

T512 void TDOT(int m, int n, int k, T alpha, const T *a, ptrdiff_t lda, const T *b, ptrdiff_t ldb,
               T beta, T *c, ptrdiff_t ldc)
{
    typedef void (*fn)(long, const T *, ptrdiff_t, int, const T *, ptrdiff_t, T, T, T *, ptrdiff_t);
    static const fn tiles[4] = {TD(t1), TD(t2), TD(t3), TD(t4)};
    for (int i0 = 0; i0 < m; i0 += 4) {
        const int mi = CGEMM_MIN(4, m - i0);
        for (int j0 = 0; j0 < n; j0 += 4) {
            const int nj = CGEMM_MIN(4, n - j0);
            tiles[nj - 1](k, a + i0 * lda, lda, mi, b + j0 * ldb, ldb, alpha, beta, c + i0 * ldc + j0, ldc);
        }
    }
}

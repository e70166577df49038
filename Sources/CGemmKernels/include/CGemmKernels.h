// CGemmKernels — register-blocked GEMM micro-kernels, packing routines and
// CPU probes for GradScope's TensorCore. The blocked driver (loop nest,
// threading, workspace management) lives in Swift (TensorCore/MatrixMultiply).
//
// Conventions: all matrices are row-major. A "strided" operand is described by
// (pointer, rs, cs): element (i, j) lives at p[i*rs + j*cs].
//
// References: K. Goto and R. van de Geijn, "Anatomy of High-Performance Matrix
// Multiplication", ACM TOMS 34(3), 2008; F. Van Zee and R. van de Geijn,
// "BLIS: A Framework for Rapidly Instantiating BLAS Functionality", ACM TOMS
// 41(3), 2015.
#ifndef CGEMM_KERNELS_H
#define CGEMM_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Kernel tiers. Values are stable (used by the Swift side).
enum {
    CGEMM_KERNEL_PORTABLE = 0,
    CGEMM_KERNEL_AVX2 = 1,
    CGEMM_KERNEL_AVX512 = 2,
    CGEMM_KERNEL_NEON = 3
};

/// Cache-blocking parameters of one kernel tier for one element type.
/// mr x nr is the register tile; kc the depth of a packed panel; nc the width
/// of the packed B block (kc*nc elements sized for L2); mc the height of an A
/// block processed per B block (sized for L3 / memory streaming).
/// nr_align is the padding granularity of an edge B panel (the SIMD width).
typedef struct {
    int mr, nr, kc, nc, mc, nr_align;
} cgemm_blocking;

/// 1 when the CPU (and OS) support the tier, 0 otherwise.
int cgemm_kernel_supported(int kernel);
/// CPU feature probes (x86-64 only; 0 elsewhere).
int cgemm_cpu_has_avx512f(void);
int cgemm_cpu_has_avx2_fma(void);
/// 1 on x86-64 builds, 2 on arm64 builds, 0 otherwise.
int cgemm_arch(void);

/// Blocking parameters; `kernel` must be supported (undefined otherwise).
cgemm_blocking cgemm_get_blocking(int kernel, int is_double);

/// Size in elements of a packed B block for kc x nc (including edge padding).
/// pack_b writes panels of width nr (edge panel: nc rounded up to nr_align).
void cgemm_spack_b(int kernel, int kc, int nc, const float *b, ptrdiff_t rsb, ptrdiff_t csb, float *bp);
void cgemm_dpack_b(int kernel, int kc, int nc, const double *b, ptrdiff_t rsb, ptrdiff_t csb, double *bp);
/// Packs an mc x kc block of A into mr-row panels (rows past mc are zero).
/// Buffer needs roundup(mc, mr) * kc elements.
void cgemm_spack_a(int kernel, int mc, int kc, const float *a, ptrdiff_t rsa, ptrdiff_t csa, float *ap);
void cgemm_dpack_a(int kernel, int mc, int kc, const double *a, ptrdiff_t rsa, ptrdiff_t csa, double *ap);

/// Macro-kernel: C[0:mc, 0:nc] = beta*C + alpha * A[0:mc, 0:kc] * B[0:kc, 0:nc].
/// A is either packed by pack_a (a_packed != 0; rsa/csa ignored) or read in
/// place with strides rsa/csa. B is either a block packed by pack_b
/// (b_packed != 0; rsb ignored) or read in place with row stride rsb and unit
/// column stride (only where cgemm_supports_unpacked_b(kernel)).
/// beta == 0 means C is not read. When `addto` is not NULL (an mc x nc block
/// with row stride ldadd), addto += C afterwards; the AVX-512 tier does it
/// tile by tile inside the micro-kernel, with the tile prefetched while the
/// k loop runs (momentum's w += v).
void cgemm_smacro(int kernel, int mc, int nc, int kc, float alpha,
                  const float *a, ptrdiff_t rsa, ptrdiff_t csa, int a_packed,
                  const float *b, ptrdiff_t rsb, int b_packed,
                  float beta, float *c, ptrdiff_t ldc, float *addto, ptrdiff_t ldadd);
void cgemm_dmacro(int kernel, int mc, int nc, int kc, double alpha,
                  const double *a, ptrdiff_t rsa, ptrdiff_t csa, int a_packed,
                  const double *b, ptrdiff_t rsb, int b_packed,
                  double beta, double *c, ptrdiff_t ldc, double *addto, ptrdiff_t ldadd);

/// Element-wise post-operations of a fused GEMM (cgemm_?post). Values are
/// stable (used by the Swift side). y is the activation output f(x) a
/// derivative is taken from (same shape and indexing as C), or the matrix
/// that C is added to.
enum {
    CGEMM_POST_NONE = 0,
    CGEMM_POST_SIGMOID = 1,                     // c = 1/(1 + e^-c)
    CGEMM_POST_TANH = 2,                        // c = tanh c
    CGEMM_POST_RELU = 3,                        // c = max(c, 0)
    CGEMM_POST_LEAKY_RELU = 4,                  // c = c > 0 ? c : slope*c
    CGEMM_POST_TIMES_SIGMOID_DERIVATIVE = 5,    // c *= y(1 - y)
    CGEMM_POST_TIMES_TANH_DERIVATIVE = 6,       // c *= 1 - y^2
    CGEMM_POST_TIMES_RELU_DERIVATIVE = 7,       // c = y > 0 ? c : 0
    CGEMM_POST_TIMES_LEAKY_RELU_DERIVATIVE = 8, // c = y > 0 ? c : slope*c
    CGEMM_POST_ADD_TO = 9                       // y += c (C unchanged)
};
typedef struct {
    int op;
    double slope;
    void *y;        // float* or double*, at the block's origin; NULL when unused
    ptrdiff_t ldy;  // row stride of y in elements
} cgemm_post;

/// Applies `post` to the m x n block c (row stride ldc), vectorised for `kernel`'s tier.
void cgemm_spost(int kernel, int m, int n, float *c, ptrdiff_t ldc, const cgemm_post *post);
void cgemm_dpost(int kernel, int m, int n, double *c, ptrdiff_t ldc, const cgemm_post *post);
/// Writes `bias` (n values) into each of the m rows of c.
void cgemm_sbias_rows(int m, int n, const float *bias, float *c, ptrdiff_t ldc);
void cgemm_dbias_rows(int m, int n, const double *bias, double *c, ptrdiff_t ldc);

/// 1 when the tier's macro-kernel can read B in place (b_packed == 0).
int cgemm_supports_unpacked_b(int kernel);
/// 1 when the tier has the dot-product kernel of cgemm_?gemm_dot_nt.
int cgemm_supports_dot_nt(int kernel);

/// Small-n path for C = alpha*A*B^T + beta*C with A m x k (row stride lda)
/// and B stored n x k (row stride ldb): dot products along k, no packing.
/// Returns 0 (and does nothing) when the tier has no such kernel.
int cgemm_sgemm_dot_nt(int kernel, int m, int n, int k, float alpha, const float *a, ptrdiff_t lda,
                       const float *b, ptrdiff_t ldb, float beta, float *c, ptrdiff_t ldc);
int cgemm_dgemm_dot_nt(int kernel, int m, int n, int k, double alpha, const double *a, ptrdiff_t lda,
                       const double *b, ptrdiff_t ldb, double beta, double *c, ptrdiff_t ldc);

// ---- Machine probes (benchmark harness) ----------------------------------

/// Runs `iterations` x 64 dependent integer adds (1 cycle latency on every
/// x86-64 and arm64 core) and returns the elapsed seconds. Clock = 64*it/t.
double cgemm_probe_add_chain(long iterations);
/// Runs `iterations` x 64 dependent FMAs; returns seconds (latency probe).
double cgemm_probe_fma_chain(long iterations);
/// Runs `iterations` x 96 independent FMAs on the widest vectors of `kernel`
/// (24 accumulators); returns seconds. Sets *lanes32 to the float lanes/FMA.
double cgemm_probe_fma_throughput(int kernel, long iterations, int *lanes32);
/// CPU brand string (x86 CPUID or /proc/cpuinfo); writes up to n-1 bytes.
void cgemm_cpu_brand(char *buffer, int n);

// ---- Optional BLAS loaded at run time ------------------------------------

typedef struct cgemm_blas cgemm_blas;
/// dlopens `path` (a file name or absolute path) and resolves cblas_sgemm and
/// cblas_dgemm. Returns NULL and writes a message to `error` on failure.
cgemm_blas *cgemm_blas_open(const char *path, char *error, int error_len);
/// The resolved path of the loaded library (dladdr), or the requested name.
const char *cgemm_blas_path(const cgemm_blas *blas);
/// Name of the OpenBLAS core in use (openblas_get_corename) or NULL.
const char *cgemm_blas_corename(const cgemm_blas *blas);
/// Calls openblas_set_num_threads when present; returns 1 if it was.
int cgemm_blas_set_threads(const cgemm_blas *blas, int n);
/// Row-major cblas_?gemm. trans: 0 = none, 1 = transposed.
void cgemm_blas_sgemm(const cgemm_blas *blas, int transA, int transB, int m, int n, int k,
                      float alpha, const float *a, int lda, const float *b, int ldb,
                      float beta, float *c, int ldc);
void cgemm_blas_dgemm(const cgemm_blas *blas, int transA, int transB, int m, int n, int k,
                      double alpha, const double *a, int lda, const double *b, int ldb,
                      double beta, double *c, int ldc);

/// Persistent helper threads (pool.c). Runs fn(ctx, i) for i in 0..<count on
/// the calling thread and count-1 helpers; returns when all are done. Returns
/// 0 without running anything when the pool is busy with another caller's job
/// (or helpers cannot be created): the caller must then run the items itself.
typedef void (*cgemm_task_fn)(void *ctx, long index);
int cgemm_pool_run(int count, cgemm_task_fn fn, void *ctx);
/// How long an idle helper spins before parking (nanoseconds; default 200 us).
void cgemm_pool_set_spin_ns(long ns);

#ifdef __cplusplus
}
#endif
#endif

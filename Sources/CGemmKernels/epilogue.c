// Fused GEMM epilogues: the bias broadcast before the product and the
// element-wise post-operation after it (activation, activation derivative,
// accumulation), applied by the Swift driver to each block of C right after
// its last rank-kc update, while the block is still in cache. This replaces
// separate passes over the whole output (and their fork/join) in a training
// step.
//
// Exactness: the expressions are the ones of Training's activation kernels
// (ActivationKernels, fastExp) and TensorScalar.sigmoid, evaluated in the same
// order with FP contraction off, so a fused layer gives the same bits as the
// separate passes. Double sigmoid and tanh call libm like the Swift code does.
#include "internal.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)

#if defined(__x86_64__)
#define EP_ATTR __attribute__((target("avx512f")))
#define EP(name) ep512_##name
#include "epilogue_template.h"
#undef EP_ATTR
#undef EP
#define EP_ATTR __attribute__((target("avx2")))
#define EP(name) ep256_##name
#include "epilogue_template.h"
#undef EP_ATTR
#undef EP
#endif
#define EP_ATTR
#define EP(name) epbase_##name
#include "epilogue_template.h"
#undef EP_ATTR
#undef EP

#define EP_DISPATCH(P, T)                                                                         \
    void cgemm_##P##post(int kernel, int m, int n, T *c, ptrdiff_t ldc, const cgemm_post *post)   \
    {                                                                                             \
        if (post->op == CGEMM_POST_NONE || m <= 0 || n <= 0) return;                              \
        EP_DISPATCH_X86(P)                                                                        \
        (void)kernel;                                                                             \
        epbase_##P##post(m, n, c, ldc, post);                                                     \
    }                                                                                             \
    void cgemm_##P##bias_rows(int m, int n, const T *bias, T *c, ptrdiff_t ldc)                   \
    {                                                                                             \
        for (int i = 0; i < m; i++) memcpy(c + i * ldc, bias, sizeof(T) * (size_t)n);             \
    }
#if defined(__x86_64__)
#define EP_DISPATCH_X86(P)                                                                        \
    if (kernel == CGEMM_KERNEL_AVX512) { ep512_##P##post(m, n, c, ldc, post); return; }           \
    if (kernel == CGEMM_KERNEL_AVX2) { ep256_##P##post(m, n, c, ldc, post); return; }
#else
#define EP_DISPATCH_X86(P)
#endif
EP_DISPATCH(s, float)
EP_DISPATCH(d, double)

#include "CVectorMath.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define VM_TARGET
#define VM_SUFFIX _portable
#include "vector_math_impl.h"
#undef VM_TARGET
#undef VM_SUFFIX

#if defined(__x86_64__) || defined(__i386__)
#define VM_TARGET __attribute__((target("avx2,fma")))
#define VM_SUFFIX _avx2
#include "vector_math_impl.h"
#undef VM_TARGET
#undef VM_SUFFIX

#define VM_TARGET __attribute__((target("avx512f,avx512dq,avx512vl,fma")))
#define VM_SUFFIX _avx512
#include "vector_math_impl.h"
#undef VM_TARGET
#undef VM_SUFFIX
#endif

/// 0 portable, 1 avx2, 2 avx512; GRADSCOPE_KERNEL=portable|avx2|avx512 caps it like the GEMM.
static int vm_level(void) {
    static int level = -1;
    if (level >= 0) return level;
    int best = 0;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) best = 1;
    if (best == 1 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) best = 2;
#endif
    const char *forced = getenv("GRADSCOPE_KERNEL");
    if (forced) {
        if (strcmp(forced, "portable") == 0 || strcmp(forced, "neon") == 0) best = 0;
        else if (strcmp(forced, "avx2") == 0 && best > 1) best = 1;
    }
    level = best;
    return level;
}

const char *gs_vector_math_variant(void) {
    switch (vm_level()) {
    case 2: return "avx512";
    case 1: return "avx2";
    default: return "portable";
    }
}

#if defined(__x86_64__) || defined(__i386__)
#define VM_DISPATCH(call_prefix, ...) \
    switch (vm_level()) { \
    case 2: return call_prefix##_avx512(__VA_ARGS__); \
    case 1: return call_prefix##_avx2(__VA_ARGS__); \
    default: return call_prefix##_portable(__VA_ARGS__); \
    }
#else
#define VM_DISPATCH(call_prefix, ...) return call_prefix##_portable(__VA_ARGS__);
#endif

void gs_vexp_f64(const double *x, double *y, size_t n) { VM_DISPATCH(vm_exp_f64, x, y, n) }
void gs_vexp_f32(const float *x, float *y, size_t n) { VM_DISPATCH(vm_exp_f32, x, y, n) }
void gs_vsigmoid_f64(const double *x, double *y, size_t n) { VM_DISPATCH(vm_sigmoid_f64, x, y, n) }
void gs_vsigmoid_f32(const float *x, float *y, size_t n) { VM_DISPATCH(vm_sigmoid_f32, x, y, n) }
double gs_softplus_sum_f64(const double *x, size_t n) { VM_DISPATCH(vm_softplus_sum_f64, x, n) }
double gs_softplus_sum_f32(const float *x, size_t n) { VM_DISPATCH(vm_softplus_sum_f32, x, n) }

double gs_logsumexp_rows_sum_f64(const double *x, size_t rows, size_t cols) {
    double total = 0.0;
    for (size_t r = 0; r < rows; r++) {
        switch (vm_level()) {
#if defined(__x86_64__) || defined(__i386__)
        case 2: total += vm_lse_row_f64_avx512(x + r * cols, cols); break;
        case 1: total += vm_lse_row_f64_avx2(x + r * cols, cols); break;
#endif
        default: total += vm_lse_row_f64_portable(x + r * cols, cols); break;
        }
    }
    return total;
}

double gs_logsumexp_rows_sum_f32(const float *x, size_t rows, size_t cols) {
    double total = 0.0;
    for (size_t r = 0; r < rows; r++) {
        switch (vm_level()) {
#if defined(__x86_64__) || defined(__i386__)
        case 2: total += vm_lse_row_f32_avx512(x + r * cols, cols); break;
        case 1: total += vm_lse_row_f32_avx2(x + r * cols, cols); break;
#endif
        default: total += vm_lse_row_f32_portable(x + r * cols, cols); break;
        }
    }
    return total;
}

// The kernels' bodies, included once per instruction-set variant with VM_TARGET and VM_SUFFIX
// defined. Plain loops over branch-free scalar code: clang vectorises them for the target.
//
// exp: x = k·ln2 + r with k = round(x/ln2) (by the 1.5·2⁵² shifter, whose bits then hold k),
// r reduced with a two-part ln2 (Cody & Waite 1980); e^r by its Taylor polynomial to degree 13
// (|r| ≤ ln2/2, remainder < 5e-18); 2^k built in the exponent bits. x is clamped to
// [−708, 709], so the result stays a normal number.
// log1p(t), t ∈ (0, 1]: u = 1 + t reduced to u′ ∈ (√½, √2]; log u′ = 2·atanh(s),
// s = (u′ − 1)/(u′ + 1), |s| ≤ 0.1716, by its series to s²³ (remainder < 1e-18); plus the
// first-order correction (t − (u − 1))/u for the rounding of u (Goldberg 1991).
#define VM_CAT2(a, b) a##b
#define VM_CAT(a, b) VM_CAT2(a, b)
#define VM_FN(name) VM_CAT(name, VM_SUFFIX)

VM_TARGET static inline double VM_FN(vm_exp)(double x0) {
    double x = x0 < -746.0 ? -746.0 : x0;
    x = x > 709.0 ? 709.0 : x;
    const double shifter = 0x1.8p52;
    double t = x * 0x1.71547652b82fep0 + shifter;
    double k = t - shifter;
    double r = x - k * 0x1.62e42fefa3800p-1;
    r = r - k * 0x1.ef35793c76730p-45;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    int64_t tb, sb;
    memcpy(&tb, &t, 8);
    memcpy(&sb, &shifter, 8);
    int64_t ki = tb - sb;
    // Results below 2^-1022 are built as 2^(k+60)·2^-60 so that they round to subnormals.
    int64_t tiny = ki < -1000 ? 1 : 0;
    int64_t bits = (ki + 60 * tiny + 1023) << 52;
    double scale;
    memcpy(&scale, &bits, 8);
    double post = tiny ? 0x1p-60 : 1.0;
    double y = (p * scale) * post;
    y = x0 < -745.2 ? 0.0 : y;
    y = x0 > 709.78 ? (double)INFINITY : y;
    return y;
}

VM_TARGET static inline double VM_FN(vm_log1p_unit)(double t) {
    double u = 1.0 + t;
    double big = u > 1.4142135623730951 ? 1.0 : 0.0;
    double v = big > 0.0 ? 0.5 * u : u;
    double s = (v - 1.0) / (v + 1.0);
    double s2 = s * s;
    double q = 1.0 / 23.0;
    q = q * s2 + 1.0 / 21.0;
    q = q * s2 + 1.0 / 19.0;
    q = q * s2 + 1.0 / 17.0;
    q = q * s2 + 1.0 / 15.0;
    q = q * s2 + 1.0 / 13.0;
    q = q * s2 + 1.0 / 11.0;
    q = q * s2 + 1.0 / 9.0;
    q = q * s2 + 1.0 / 7.0;
    q = q * s2 + 1.0 / 5.0;
    q = q * s2 + 1.0 / 3.0;
    q = q * s2 + 1.0;
    double logu = 2.0 * s * q + big * 0x1.62e42fefa39efp-1;
    return logu + (t - (u - 1.0)) / u;
}

VM_TARGET static void VM_FN(vm_exp_f64)(const double *x, double *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = VM_FN(vm_exp)(x[i]);
}
VM_TARGET static void VM_FN(vm_exp_f32)(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = (float)VM_FN(vm_exp)((double)x[i]);
}
VM_TARGET static void VM_FN(vm_sigmoid_f64)(const double *x, double *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = 1.0 / (1.0 + VM_FN(vm_exp)(-x[i]));
}
VM_TARGET static void VM_FN(vm_sigmoid_f32)(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = (float)(1.0 / (1.0 + VM_FN(vm_exp)(-(double)x[i])));
}
// Softplus sums: the terms are mapped into a chunk buffer (a loop clang vectorises), then summed
// with the additions reassociated into vector lanes (a fixed, deterministic order).
#define VM_SOFTPLUS_SUM(NAME, TYPE) \
VM_TARGET static double VM_FN(NAME)(const TYPE *x, size_t n) { \
    double terms[256]; \
    double total = 0.0; \
    for (size_t start = 0; start < n; start += 256) { \
        size_t len = n - start < 256 ? n - start : 256; \
        for (size_t i = 0; i < len; i++) { \
            double z = (double)x[start + i]; \
            double a = z < 0.0 ? -z : z; \
            terms[i] = (z > 0.0 ? z : 0.0) + VM_FN(vm_log1p_unit)(VM_FN(vm_exp)(-a)); \
        } \
        total += VM_FN(vm_sum)(terms, len); \
    } \
    return total; \
}

VM_TARGET static double VM_FN(vm_sum)(const double *t, size_t n) {
#pragma clang fp reassociate(on)
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += t[i];
    return s;
}
VM_SOFTPLUS_SUM(vm_softplus_sum_f64, double)
VM_SOFTPLUS_SUM(vm_softplus_sum_f32, float)
VM_TARGET static double VM_FN(vm_lse_row_f64)(const double *x, size_t cols) {
    double m = x[0];
    for (size_t j = 1; j < cols; j++) m = x[j] > m ? x[j] : m;
    double s = 0.0;
    for (size_t j = 0; j < cols; j++) s += VM_FN(vm_exp)(x[j] - m);
    return m + log(s);
}
VM_TARGET static double VM_FN(vm_lse_row_f32)(const float *x, size_t cols) {
    double m = (double)x[0];
    for (size_t j = 1; j < cols; j++) m = (double)x[j] > m ? (double)x[j] : m;
    double s = 0.0;
    for (size_t j = 0; j < cols; j++) s += VM_FN(vm_exp)((double)x[j] - m);
    return m + log(s);
}

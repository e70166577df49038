// Epilogue template, included by epilogue.c once per instruction-set tier
// (EP_ATTR: the target attribute, EP(name): the tier-suffixed name). The loops
// are plain C that the compiler vectorises for the tier; no FP contraction
// (see epilogue.c), so every tier gives the same bits.

// Float e^x exactly as Training's `fastExp` (Cody & Waite reduction, Cephes
// expf polynomial, clamped to [-87, 88]); the comparisons mirror Swift's
// max/min so that NaN propagates the same way.
static inline __attribute__((always_inline)) EP_ATTR float EP(fast_expf)(float value)
{
    float x = (-87.0f >= value) ? -87.0f : value;   // Swift.max(value, -87)
    x = (88.0f < x) ? 88.0f : x;                     // Swift.min(x, 88)
    const float shifter = 12582912.0f;
    const float t = x * 1.44269504f + shifter;
    const float n = t - shifter;
    const float r = (x - n * 0.693359375f) - n * -2.1219444e-4f;
    float p = 1.98756915e-4f;
    p = p * r + 1.39819995e-3f;
    p = p * r + 8.3334519e-3f;
    p = p * r + 4.16657959e-2f;
    p = p * r + 1.66666655e-1f;
    p = p * r + 5.00000012e-1f;
    const float er = p * (r * r) + r + 1.0f;
    uint32_t tb;
    memcpy(&tb, &t, 4);
    const uint32_t sb = (tb - 0x4B400000u + 127u) << 23;
    float scale;
    memcpy(&scale, &sb, 4);
    return er * scale;
}

#ifndef EP_SHARED_CASES
// The cases that are the same expression in both precisions (T: float or double).
#define EP_SHARED_CASES(T)                                                                        \
    case CGEMM_POST_RELU:                                                                         \
        for (int j = 0; j < n; j++) { const T v = c[j]; c[j] = v > 0 ? v : (T)0; }               \
        break;                                                                                    \
    case CGEMM_POST_LEAKY_RELU:                                                                   \
        for (int j = 0; j < n; j++) { const T v = c[j]; c[j] = v > 0 ? v : slope * v; }         \
        break;                                                                                    \
    case CGEMM_POST_TIMES_SIGMOID_DERIVATIVE:                                                     \
        for (int j = 0; j < n; j++) { const T v = y[j]; c[j] *= v * ((T)1 - v); }               \
        break;                                                                                    \
    case CGEMM_POST_TIMES_TANH_DERIVATIVE:                                                        \
        for (int j = 0; j < n; j++) { const T v = y[j]; c[j] *= (T)1 - v * v; }                 \
        break;                                                                                    \
    case CGEMM_POST_TIMES_RELU_DERIVATIVE:                                                        \
        for (int j = 0; j < n; j++) c[j] = y[j] > 0 ? c[j] : (T)0;                               \
        break;                                                                                    \
    case CGEMM_POST_TIMES_LEAKY_RELU_DERIVATIVE:                                                  \
        for (int j = 0; j < n; j++) c[j] = y[j] > 0 ? c[j] : slope * c[j];                       \
        break;
#endif

EP_ATTR static void EP(spost_row)(int op, float slope, float *restrict c, const float *restrict y, int n)
{
    switch (op) {
    case CGEMM_POST_SIGMOID:
        for (int j = 0; j < n; j++) c[j] = 1.0f / (1.0f + EP(fast_expf)(-c[j]));
        break;
    case CGEMM_POST_TANH:
        // As Training's tanh kernel: (1 - e^(-2|x|))/(1 + e^(-2|x|)), odd Taylor series below 1/16.
        for (int j = 0; j < n; j++) {
            const float v = c[j], a = v < 0 ? -v : v;
            const float t = EP(fast_expf)(-2.0f * a);
            const float big = (1.0f - t) / (1.0f + t);
            const float a2 = a * a;
            const float small = a * (1.0f + a2 * (-1.0f / 3.0f + a2 * (2.0f / 15.0f + a2 * (-17.0f / 315.0f))));
            const float magnitude = a < 0.0625f ? small : big;
            c[j] = v < 0 ? -magnitude : magnitude;
        }
        break;
    EP_SHARED_CASES(float)
    default:
        break;
    }
}

EP_ATTR static void EP(dpost_row)(int op, double slope, double *restrict c, const double *restrict y, int n)
{
    switch (op) {
    case CGEMM_POST_SIGMOID:
        // As TensorScalar.sigmoid: e^x/(1 + e^x) for x < 0 so that e^(-x) cannot overflow.
        for (int j = 0; j < n; j++) {
            const double v = c[j];
            if (v >= 0) {
                c[j] = 1.0 / (1.0 + exp(-v));
            } else {
                const double e = exp(v);
                c[j] = e / (1.0 + e);
            }
        }
        break;
    case CGEMM_POST_TANH:
        for (int j = 0; j < n; j++) c[j] = tanh(c[j]);
        break;
    EP_SHARED_CASES(double)
    default:
        break;
    }
}

#define EP_BLOCK(P, T)                                                                            \
    EP_ATTR static void EP(P##post)(int m, int n, T *c, ptrdiff_t ldc, const cgemm_post *post)    \
    {                                                                                             \
        T *y = (T *)post->y;                                                                      \
        if (post->op == CGEMM_POST_ADD_TO) {                                                      \
            for (int i = 0; i < m; i++) {                                                         \
                T *restrict yr = y + i * post->ldy;                                               \
                const T *restrict cr = c + i * ldc;                                               \
                for (int j = 0; j < n; j++) yr[j] += cr[j];                                       \
            }                                                                                     \
            return;                                                                               \
        }                                                                                         \
        for (int i = 0; i < m; i++)                                                               \
            EP(P##post_row)(post->op, (T)post->slope, c + i * ldc, y ? y + i * post->ldy : NULL, n); \
    }
EP_BLOCK(s, float)
EP_BLOCK(d, double)
#undef EP_BLOCK

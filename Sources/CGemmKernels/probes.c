// Machine probes for the benchmark harness: core clock from a dependent
// integer-add chain (1 cycle per add on every x86-64 / arm64 core), FMA
// latency, and FMA throughput of the widest vectors a tier uses.
#include "internal.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#define REP8(x) x x x x x x x x
#define REP64(x) REP8(REP8(x))

double cgemm_probe_add_chain(long iterations)
{
    long acc = 0, one = 1;
    double t0 = now_seconds();
#if defined(__x86_64__)
    for (long i = 0; i < iterations; i++) __asm__ volatile(REP64("add %1, %0\n\t") : "+r"(acc) : "r"(one));
#elif defined(__aarch64__)
    for (long i = 0; i < iterations; i++) __asm__ volatile(REP64("add %0, %0, %1\n\t") : "+r"(acc) : "r"(one));
#else
    volatile long v = 0;
    for (long i = 0; i < iterations * 64; i++) v = v + one;
    acc = v;
#endif
    double t = now_seconds() - t0;
    if (acc == 42) fprintf(stderr, " ");
    return t;
}

double cgemm_probe_fma_chain(long iterations)
{
    double t0 = now_seconds();
#if defined(__x86_64__)
    if (cgemm_cpu_has_avx2_fma()) {
        for (long i = 0; i < iterations; i++)
            __asm__ volatile(REP64("vfmadd231pd %%xmm1, %%xmm2, %%xmm0\n\t") ::: "xmm0", "xmm1", "xmm2");
    }
#elif defined(__aarch64__)
    for (long i = 0; i < iterations; i++)
        __asm__ volatile(REP64("fmla v0.2d, v1.2d, v2.2d\n\t") ::: "v0", "v1", "v2");
#endif
    return now_seconds() - t0;
}

#define ZF(n) "vfmadd231ps %%zmm30, %%zmm31, %%zmm" #n "\n\t"
#define YF(n) "vfmadd231ps %%ymm14, %%ymm15, %%ymm" #n "\n\t"
#define XA(n) "mulps %%xmm14, %%xmm" #n "\n\t"

double cgemm_probe_fma_throughput(int kernel, long iterations, int *lanes32)
{
    double t0 = now_seconds();
    *lanes32 = 0;
#if defined(__x86_64__)
    if (kernel == CGEMM_KERNEL_AVX512 && cgemm_cpu_has_avx512f()) {
        *lanes32 = 16;
        for (long i = 0; i < iterations; i++)
            __asm__ volatile(
                ZF(0) ZF(1) ZF(2) ZF(3) ZF(4) ZF(5) ZF(6) ZF(7) ZF(8) ZF(9) ZF(10) ZF(11)
                ZF(12) ZF(13) ZF(14) ZF(15) ZF(16) ZF(17) ZF(18) ZF(19) ZF(20) ZF(21) ZF(22) ZF(23)
                ZF(0) ZF(1) ZF(2) ZF(3) ZF(4) ZF(5) ZF(6) ZF(7) ZF(8) ZF(9) ZF(10) ZF(11)
                ZF(12) ZF(13) ZF(14) ZF(15) ZF(16) ZF(17) ZF(18) ZF(19) ZF(20) ZF(21) ZF(22) ZF(23)
                ZF(0) ZF(1) ZF(2) ZF(3) ZF(4) ZF(5) ZF(6) ZF(7) ZF(8) ZF(9) ZF(10) ZF(11)
                ZF(12) ZF(13) ZF(14) ZF(15) ZF(16) ZF(17) ZF(18) ZF(19) ZF(20) ZF(21) ZF(22) ZF(23)
                ZF(0) ZF(1) ZF(2) ZF(3) ZF(4) ZF(5) ZF(6) ZF(7) ZF(8) ZF(9) ZF(10) ZF(11)
                ZF(12) ZF(13) ZF(14) ZF(15) ZF(16) ZF(17) ZF(18) ZF(19) ZF(20) ZF(21) ZF(22) ZF(23)
                ::: "memory");
    } else if (kernel == CGEMM_KERNEL_AVX2 && cgemm_cpu_has_avx2_fma()) {
        *lanes32 = 8;
        for (long i = 0; i < iterations; i++)
            __asm__ volatile(
                REP8(YF(0) YF(1) YF(2) YF(3) YF(4) YF(5) YF(6) YF(7) YF(8) YF(9) YF(10) YF(11))
                ::: "memory");
    }
#elif defined(__aarch64__)
    if (kernel == CGEMM_KERNEL_NEON) {
        *lanes32 = 4;
        for (long i = 0; i < iterations; i++)
            __asm__ volatile(REP8(
                "fmla v0.4s, v30.4s, v31.4s\n\t fmla v1.4s, v30.4s, v31.4s\n\t"
                "fmla v2.4s, v30.4s, v31.4s\n\t fmla v3.4s, v30.4s, v31.4s\n\t"
                "fmla v4.4s, v30.4s, v31.4s\n\t fmla v5.4s, v30.4s, v31.4s\n\t"
                "fmla v6.4s, v30.4s, v31.4s\n\t fmla v7.4s, v30.4s, v31.4s\n\t"
                "fmla v8.4s, v30.4s, v31.4s\n\t fmla v9.4s, v30.4s, v31.4s\n\t"
                "fmla v10.4s, v30.4s, v31.4s\n\t fmla v11.4s, v30.4s, v31.4s\n\t")
                ::: "memory");
    }
#endif
    return now_seconds() - t0;
}

void cgemm_cpu_brand(char *buffer, int n)
{
    if (n <= 0) return;
    buffer[0] = 0;
#if defined(__x86_64__)
    unsigned int regs[12];
    if (__get_cpuid(0x80000000u, &regs[0], &regs[1], &regs[2], &regs[3]) && regs[0] >= 0x80000004u) {
        for (unsigned int i = 0; i < 3; i++)
            __get_cpuid(0x80000002u + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
        char brand[49];
        memcpy(brand, regs, 48);
        brand[48] = 0;
        const char *s = brand;
        while (*s == ' ') s++;
        snprintf(buffer, (size_t)n, "%s", s);
        unsigned int eax, ebx, ecx, edx;
        if (__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
            unsigned int family = (eax >> 8) & 0xF, model = (eax >> 4) & 0xF;
            if (family == 0xF) family += (eax >> 20) & 0xFF;
            if (family >= 6) model |= ((eax >> 16) & 0xF) << 4;
            size_t len = strlen(buffer);
            snprintf(buffer + len, (size_t)n - len, " (family 0x%x model 0x%x)", family, model);
        }
        return;
    }
#endif
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0 || strncmp(line, "Model", 5) == 0) {
            char *colon = strchr(line, ':');
            if (colon) {
                colon++;
                while (*colon == ' ') colon++;
                colon[strcspn(colon, "\n")] = 0;
                snprintf(buffer, (size_t)n, "%s", colon);
                break;
            }
        }
    }
    fclose(f);
}

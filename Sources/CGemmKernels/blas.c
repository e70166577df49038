// Optional BLAS loaded at run time with dlopen (no link-time dependency).
#define _GNU_SOURCE 1
#include "internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__unix__) || defined(__APPLE__)
#define CGEMM_HAVE_DLOPEN 1
#include <dlfcn.h>
#endif

typedef void (*cblas_sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *,
                               int, float, float *, int);
typedef void (*cblas_dgemm_fn)(int, int, int, int, int, int, double, const double *, int,
                               const double *, int, double, double *, int);

struct cgemm_blas {
    void *handle;
    cblas_sgemm_fn sgemm;
    cblas_dgemm_fn dgemm;
    void (*set_threads)(int);
    char *(*corename)(void);
    char path[1024];
};

enum { CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112 };

cgemm_blas *cgemm_blas_open(const char *path, char *error, int error_len)
{
#if CGEMM_HAVE_DLOPEN
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        if (error) snprintf(error, (size_t)error_len, "%s", dlerror());
        return NULL;
    }
    void *s = dlsym(h, "cblas_sgemm"), *d = dlsym(h, "cblas_dgemm");
    if (!s || !d) {
        if (error) snprintf(error, (size_t)error_len, "%s has no cblas_sgemm/cblas_dgemm", path);
        dlclose(h);
        return NULL;
    }
    cgemm_blas *b = calloc(1, sizeof *b);
    if (!b) {
        dlclose(h);
        return NULL;
    }
    b->handle = h;
    b->sgemm = (cblas_sgemm_fn)s;
    b->dgemm = (cblas_dgemm_fn)d;
    b->set_threads = (void (*)(int))dlsym(h, "openblas_set_num_threads");
    b->corename = (char *(*)(void))dlsym(h, "openblas_get_corename");
    Dl_info info;
    if (dladdr(s, &info) && info.dli_fname) snprintf(b->path, sizeof b->path, "%s", info.dli_fname);
    else snprintf(b->path, sizeof b->path, "%s", path);
    return b;
#else
    if (error) snprintf(error, (size_t)error_len, "dlopen is not available on this platform");
    (void)path;
    return NULL;
#endif
}

const char *cgemm_blas_path(const cgemm_blas *blas) { return blas->path; }

const char *cgemm_blas_corename(const cgemm_blas *blas)
{
    return blas->corename ? blas->corename() : NULL;
}

int cgemm_blas_set_threads(const cgemm_blas *blas, int n)
{
    if (!blas->set_threads) return 0;
    blas->set_threads(n);
    return 1;
}

void cgemm_blas_sgemm(const cgemm_blas *blas, int transA, int transB, int m, int n, int k, float alpha,
                      const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
    blas->sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void cgemm_blas_dgemm(const cgemm_blas *blas, int transA, int transB, int m, int n, int k, double alpha,
                      const double *a, int lda, const double *b, int ldb, double beta, double *c, int ldc)
{
    blas->dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

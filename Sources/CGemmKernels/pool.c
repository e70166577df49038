// Persistent helper threads for multi-threaded GEMM calls.
//
// A GEMM call on both cores of a small machine lasts 0.1-1 ms, so waking a
// thread from the kernel (tens of microseconds on a VM) is a large share of
// it. The helpers here spin for a short while after each job (yielding the
// core to any other runnable thread), then park on a condition variable.
// One job at a time: a caller that finds the pool busy gets 0 back and runs
// its job some other way, so concurrent callers never wait on each other.
#include "include/CGemmKernels.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define CGEMM_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define CGEMM_PAUSE() __asm__ __volatile__("yield")
#else
#define CGEMM_PAUSE() ((void)0)
#endif

#define CGEMM_POOL_MAX_HELPERS 63

// Job word: generation (32 bits) | count (16 bits) | next index (16 bits).
static _Atomic uint64_t job_word;
static _Atomic uint32_t generation;
static _Atomic int done_count;
static _Atomic int busy;
static _Atomic int sleepers;
static _Atomic int helper_count;
static _Atomic long spin_ns = 200000;
static cgemm_task_fn job_fn;
static void *job_ctx;
static pthread_mutex_t park_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t park_cond = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t create_mutex = PTHREAD_MUTEX_INITIALIZER;

static long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000000000L + ts.tv_nsec;
}

// Claims and runs items of generation `gen` until none is left.
static void run_items(uint32_t gen)
{
    uint64_t w = atomic_load_explicit(&job_word, memory_order_acquire);
    for (;;) {
        if ((uint32_t)(w >> 32) != gen) return;
        const unsigned count = (unsigned)((w >> 16) & 0xffff), index = (unsigned)(w & 0xffff);
        if (index >= count) return;
        if (atomic_compare_exchange_weak_explicit(&job_word, &w, w + 1, memory_order_acq_rel,
                                                  memory_order_acquire)) {
            // The caller cannot start another job before this item is done,
            // so job_fn / job_ctx still belong to `gen`.
            job_fn(job_ctx, (long)index);
            atomic_fetch_add_explicit(&done_count, 1, memory_order_acq_rel);
            w = atomic_load_explicit(&job_word, memory_order_acquire);
        }
    }
}

static void *helper_main(void *arg)
{
    (void)arg;
    uint32_t seen = atomic_load_explicit(&generation, memory_order_acquire);
    for (;;) {
        uint32_t g = atomic_load_explicit(&generation, memory_order_acquire);
        if (g == seen) {
            // Spin (yielding now and then), then park.
            const long limit = atomic_load_explicit(&spin_ns, memory_order_relaxed);
            const long start = now_ns();
            unsigned spins = 0;
            while ((g = atomic_load_explicit(&generation, memory_order_acquire)) == seen) {
                CGEMM_PAUSE();
                if ((++spins & 255) == 0) {
                    if (now_ns() - start > limit) break;
                    if ((spins & 1023) == 0) sched_yield();
                }
            }
            if (g == seen) {
                pthread_mutex_lock(&park_mutex);
                atomic_fetch_add(&sleepers, 1);
                while ((g = atomic_load(&generation)) == seen) pthread_cond_wait(&park_cond, &park_mutex);
                atomic_fetch_sub(&sleepers, 1);
                pthread_mutex_unlock(&park_mutex);
            }
        }
        seen = g;
        run_items(g);
    }
    return NULL;
}

static int ensure_helpers(int wanted)
{
    if (wanted > CGEMM_POOL_MAX_HELPERS) wanted = CGEMM_POOL_MAX_HELPERS;
    if (atomic_load_explicit(&helper_count, memory_order_acquire) >= wanted) return wanted;
    pthread_mutex_lock(&create_mutex);
    int have = atomic_load(&helper_count);
    while (have < wanted) {
        pthread_t thread;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        const int rc = pthread_create(&thread, &attr, helper_main, NULL);
        pthread_attr_destroy(&attr);
        if (rc != 0) break;
        have += 1;
        atomic_store(&helper_count, have);
    }
    pthread_mutex_unlock(&create_mutex);
    return have;
}

int cgemm_pool_run(int count, cgemm_task_fn fn, void *ctx)
{
    if (count <= 1) {
        if (count == 1) fn(ctx, 0);
        return 1;
    }
    if (count > 0xffff) return 0;
    int expected = 0;
    if (!atomic_compare_exchange_strong(&busy, &expected, 1)) return 0;
    if (ensure_helpers(count - 1) < 1) {
        atomic_store(&busy, 0);
        return 0;
    }
    job_fn = fn;
    job_ctx = ctx;
    atomic_store_explicit(&done_count, 0, memory_order_relaxed);
    const uint32_t gen = atomic_load_explicit(&generation, memory_order_relaxed) + 1;
    atomic_store_explicit(&job_word, ((uint64_t)gen << 32) | ((uint64_t)count << 16), memory_order_release);
    atomic_store(&generation, gen);
    if (atomic_load(&sleepers) > 0) {
        pthread_mutex_lock(&park_mutex);
        pthread_cond_broadcast(&park_cond);
        pthread_mutex_unlock(&park_mutex);
    }
    run_items(gen);
    unsigned spins = 0;
    while (atomic_load_explicit(&done_count, memory_order_acquire) < count) {
        CGEMM_PAUSE();
        if ((++spins & 1023) == 0) sched_yield();
    }
    atomic_store_explicit(&busy, 0, memory_order_release);
    return 1;
}

void cgemm_pool_set_spin_ns(long ns)
{
    atomic_store(&spin_ns, ns < 0 ? 0 : ns);
}

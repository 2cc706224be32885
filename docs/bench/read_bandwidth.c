/*
 * Memory read bandwidth of this machine: one 1 GiB float array summed, five times, by every OpenMP thread over its
 * share. The bound for batch-1 decoding, which streams every weight once per token; see docs/BENCHMARKS.md.
 *
 *   gcc -O3 -march=native -ffast-math -fopenmp docs/bench/read_bandwidth.c -o /tmp/read_bandwidth
 *   OMP_NUM_THREADS=1 /tmp/read_bandwidth; OMP_NUM_THREADS=2 /tmp/read_bandwidth
 *
 * -ffast-math lets the compiler split the sum over several vector accumulators, so the reads, not one add chain,
 * set the pace.
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(void) {
    size_t n = (size_t) 1 << 28;
    float *a = aligned_alloc(64, n * sizeof(float));
    if (a == NULL) return 1;
#pragma omp parallel for
    for (size_t i = 0; i < n; i++) a[i] = (float) (i & 1023) * 1e-6f;
    for (int round = 0; round < 5; round++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        float total = 0;
#pragma omp parallel for reduction(+ : total)
        for (size_t i = 0; i < n; i++) total += a[i];
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) * 1e-9;
        printf("%d threads: %.1f GB/s (checksum %g)\n", omp_get_max_threads(), (double) n * sizeof(float) / s / 1e9, total);
    }
    free(a);
    return 0;
}

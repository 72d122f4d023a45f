/*
 * The machine's own FMA ceiling, outside the JVM: twelve independent chains of 512-bit fused
 * multiply-adds, as PeakBench runs them through the Vector API. It tells whether a GEMM figure is
 * far from what the hardware can do or only from what the JVM makes of it.
 *
 *   gcc -O2 -mavx512f -mfma benchmarks/native/fma-peak.c -o /tmp/fma-peak
 *   /tmp/fma-peak                      # one core
 *   /tmp/fma-peak & /tmp/fma-peak; wait  # both cores at once
 */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
    enum { CHAINS = 12 };
    const long iterations = 200000000L;
    __m512 acc[CHAINS];
    const __m512 factor = _mm512_set1_ps(1.0000001f);
    const __m512 addend = _mm512_set1_ps(1e-7f);
    for (int c = 0; c < CHAINS; c++) {
        acc[c] = _mm512_set1_ps((float) c);
    }
    double start = seconds();
    for (long i = 0; i < iterations; i++) {
#pragma GCC unroll 12
        for (int c = 0; c < CHAINS; c++) {
            acc[c] = _mm512_fmadd_ps(acc[c], factor, addend);
        }
    }
    double elapsed = seconds() - start;
    __m512 sum = acc[0];
    for (int c = 1; c < CHAINS; c++) {
        sum = _mm512_add_ps(sum, acc[c]);
    }
    float lanes[16];
    _mm512_storeu_ps(lanes, sum);
    /* 16 lanes × 2 operations per FMA; printing a lane keeps the compiler from dropping the loop. */
    printf("%.1f GFLOP/s (checksum %g)\n", iterations * CHAINS * 32.0 / elapsed / 1e9, lanes[0]);
    return 0;
}

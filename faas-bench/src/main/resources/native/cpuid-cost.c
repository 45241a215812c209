/*
 * How long one cpuid instruction takes here (in a virtual machine it exits to the hypervisor). C libraries run it
 * many times while a process starts. Build: gcc -O2 -o cpuid-cost cpuid-cost.c
 */
#include <cpuid.h>
#include <stdio.h>
#include <time.h>

int main(void) {
    struct timespec a, b;
    unsigned int eax, ebx, ecx, edx, sum = 0;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 1000; i++) {
        __cpuid_count(4, i & 3, eax, ebx, ecx, edx);
        sum += eax ^ ebx ^ ecx ^ edx;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double us = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 1000.0 / 1000;
    printf("cpuid: %.1f us each (%u)\n", us, sum & 1);
    return 0;
}

/*
 * The cheapest process there is, for measuring the ceiling of process starts: no C library, no start-up code; it
 * exits at once. Build: gcc -O2 -static -nostdlib -fno-stack-protector -o exit-nolibc exit-nolibc.c
 */
void _start(void) {
    __asm__ volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");
    for (;;) {
    }
}

/*
 * A faasx v1 function in C without a C library: reads the request from stdin until EOF and answers with its
 * "args" array as the result. Start-up costs no more than the kernel's exec: no libc initialisation. x86-64 Linux.
 * Build: gcc -O2 -static -nostdlib -fno-stack-protector -fno-builtin -o echo-nolibc echo-nolibc.c
 */
static long sys(long n, long a, long b, long c) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static char in[1 << 20];
static char out[(1 << 20) + 128];

static long find(const char *s, long n, const char *w) {
    for (long i = 0; i < n; i++) {
        long k = 0;
        while (w[k] && i + k < n && s[i + k] == w[k]) k++;
        if (!w[k]) return i;
    }
    return -1;
}

static long put(long at, const char *s) {
    while (*s) out[at++] = *s++;
    return at;
}

void _start(void) {
    long len = 0, r;
    while (len < (long) sizeof in && (r = sys(0, 0, (long) (in + len), (long) sizeof in - len)) > 0) len += r;
    long n = put(0, "{\"job_id\":");
    long id = find(in, len, "\"job_id\"");
    if (id >= 0) {
        long i = id + 8;
        while (i < len && (in[i] == ':' || in[i] == ' ')) i++;
        while (i < len && ((in[i] >= '0' && in[i] <= '9') || in[i] == '-')) out[n++] = in[i++];
    } else {
        out[n++] = '0';
    }
    n = put(n, ",\"result\":");
    long a = find(in, len, "\"args\"");
    long s = a < 0 ? -1 : a + 6, e = -1;
    while (s >= 0 && s < len && in[s] != '[') s++;
    for (long i = s; s >= 0 && i < len; i++) if (in[i] == ']') { e = i; break; }
    if (s >= 0 && e > s) {
        for (long i = s; i <= e; i++) out[n++] = in[i];
    } else {
        n = put(n, "[]");
    }
    n = put(n, ",\"success\":true}");
    for (long w = 0; w < n && (r = sys(1, 1, (long) (out + w), n - w)) > 0;) w += r;
    sys(60, 0, 0, 0);
    for (;;) {
    }
}

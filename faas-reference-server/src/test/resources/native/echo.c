/*
 * A minimal faasx function in C: echoes the request's bytes as the result.
 * v1 mode: reads one request from stdin until EOF, writes one response, exits.
 * Persistent mode (FAASX_WORKER_MODE=persistent): prints the ready line, then answers one request per line.
 * The request's "args" array (or "args_base64" string) is copied verbatim into "result" ("result_base64").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t answer(const char *req, char *out, size_t cap) {
    long long id = 0;
    const char *p = strstr(req, "\"job_id\"");
    if (p && (p = strchr(p, ':'))) id = strtoll(p + 1, NULL, 10);
    const char *field = "result", *val = "[]";
    size_t vlen = 2;
    if ((p = strstr(req, "\"args\"")) && (p = strchr(p, '['))) {
        const char *e = strchr(p, ']');
        if (e) { val = p; vlen = (size_t)(e - p + 1); }
    } else if ((p = strstr(req, "\"args_base64\"")) && (p = strchr(p + 13, '"'))) {
        const char *e = strchr(p + 1, '"');
        if (e) { field = "result_base64"; val = p; vlen = (size_t)(e - p + 1); }
    }
    int n = snprintf(out, cap, "{\"job_id\":%lld,\"%s\":", id, field);
    if (n < 0 || (size_t)n + vlen + 32 > cap) return 0;
    memcpy(out + n, val, vlen);
    n += (int)vlen;
    n += snprintf(out + n, cap - (size_t)n, ",\"success\":true}");
    return (size_t)n;
}

static int write_all(const char *b, size_t n) {
    while (n > 0) { ssize_t w = write(1, b, n); if (w <= 0) return -1; b += w; n -= (size_t)w; }
    return 0;
}

int main(void) {
    static char in[1 << 22], out[(1 << 22) + 128];
    const char *mode = getenv("FAASX_WORKER_MODE");
    if (mode && strcmp(mode, "persistent") == 0) {
        const char *ready = "{\"faasx_worker\":\"ready\",\"protocol\":1}\n";
        if (write_all(ready, strlen(ready))) return 1;
        size_t len = 0;
        for (;;) {
            char *nl;
            while ((nl = memchr(in, '\n', len)) != NULL) {
                *nl = 0;
                size_t n = answer(in, out, sizeof out - 1);
                out[n++] = '\n';
                if (write_all(out, n)) return 1;
                len -= (size_t)(nl + 1 - in);
                memmove(in, nl + 1, len);
            }
            if (len >= sizeof in - 1) return 2;
            ssize_t r = read(0, in + len, sizeof in - 1 - len);
            if (r <= 0) return 0;
            len += (size_t)r;
        }
    }
    size_t len = 0;
    ssize_t r;
    while (len < sizeof in - 1 && (r = read(0, in + len, sizeof in - 1 - len)) > 0) len += (size_t)r;
    in[len] = 0;
    size_t n = answer(in, out, sizeof out);
    return write_all(out, n) ? 1 : 0;
}

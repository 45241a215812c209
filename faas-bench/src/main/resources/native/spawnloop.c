/*
 * The physical ceiling of one process per call on this machine: starts PROGRAM with posix_spawn (stdin and stdout
 * on /dev/null) and waits for it, over and over, from THREADS threads for SECONDS seconds, then prints the number
 * of processes started per second and the CPU time each child used (user + system, from getrusage), in ms.
 * Usage: spawnloop PROGRAM THREADS SECONDS
 */
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;
static const char *program;
static double seconds;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void *loop(void *count) {
    double end = now() + seconds;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", 0, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", 1, 0);
    char *args[] = {(char *) program, NULL};
    while (now() < end) {
        pid_t pid;
        int status;
        if (posix_spawn(&pid, program, &actions, NULL, args, environ) != 0) {
            perror("posix_spawn");
            exit(1);
        }
        waitpid(pid, &status, 0);
        ++*(long *) count;
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: spawnloop PROGRAM THREADS SECONDS\n");
        return 2;
    }
    program = argv[1];
    int threads = atoi(argv[2]);
    seconds = atof(argv[3]);
    pthread_t ids[64];
    long counts[64] = {0};
    if (threads < 1 || threads > 64) {
        return 2;
    }
    for (int i = 0; i < threads; i++) {
        pthread_create(&ids[i], NULL, loop, &counts[i]);
    }
    long total = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(ids[i], NULL);
        total += counts[i];
    }
    struct rusage children;
    getrusage(RUSAGE_CHILDREN, &children);
    double cpuMs = children.ru_utime.tv_sec * 1e3 + children.ru_utime.tv_usec / 1e3
            + children.ru_stime.tv_sec * 1e3 + children.ru_stime.tv_usec / 1e3;
    printf("%.0f %.3f\n", total / seconds, total > 0 ? cpuMs / total : 0.0);
    return 0;
}

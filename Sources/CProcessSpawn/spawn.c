#define _GNU_SOURCE
#include "CProcessSpawn.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

static const int default_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};

#ifdef __linux__
int gradscope_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                    int in, int out, int err, int die_with_parent) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return errno;
    pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0) {
        int e = errno;
        close(report[0]); close(report[1]);
        return e;
    }
    if (child == 0) {
        setpgid(0, 0);
        if (die_with_parent) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent) _exit(127);   /* the parent died before prctl */
        }
        if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) goto fail;
        sigset_t empty;
        sigemptyset(&empty);
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        for (unsigned k = 0; k < sizeof default_signals / sizeof default_signals[0]; k++)
            sigaction(default_signals[k], &dfl, NULL);
        sigprocmask(SIG_SETMASK, &empty, NULL);
        execve(path, argv, envp);
    fail: {
            int e = errno;
            ssize_t ignored = write(report[1], &e, sizeof e);
            (void)ignored;
            _exit(127);
        }
    }
    close(report[1]);
    /* Also set the group from the parent side, so that it exists before we return. */
    setpgid(child, child);
    int e = 0;
    ssize_t n;
    do { n = read(report[0], &e, sizeof e); } while (n < 0 && errno == EINTR);
    close(report[0]);
    *pid = child;
    if (n == (ssize_t)sizeof e) {
        /* exec failed: collect the child and report why */
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        return e;
    }
    return 0;
}
#else
int gradscope_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                    int in, int out, int err, int die_with_parent) {
    (void)die_with_parent;
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    posix_spawn_file_actions_adddup2(&actions, in, 0);
    posix_spawn_file_actions_adddup2(&actions, out, 1);
    posix_spawn_file_actions_adddup2(&actions, err, 2);
    posix_spawnattr_setpgroup(&attributes, 0);
    sigset_t mask, defaults;
    sigemptyset(&mask);
    sigemptyset(&defaults);
    for (unsigned k = 0; k < sizeof default_signals / sizeof default_signals[0]; k++) sigaddset(&defaults, default_signals[k]);
    posix_spawnattr_setsigmask(&attributes, &mask);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int r = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    return r;
}
#endif

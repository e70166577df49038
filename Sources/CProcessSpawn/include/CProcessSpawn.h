#ifndef CPROCESSSPAWN_H
#define CPROCESSSPAWN_H

#include <sys/types.h>

/// Starts `path` with `argv` and `envp` in a process group of its own, with `in`, `out` and
/// `err` as its stdin, stdout and stderr, an empty signal mask and default dispositions for
/// SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGPIPE. On Linux the child also asks the kernel to
/// SIGKILL it when the thread that started it dies (PR_SET_PDEATHSIG), so that a checker killed
/// with SIGKILL leaves no program behind; elsewhere it is posix_spawn with the same attributes.
///
/// Returns 0 and stores the pid, or an errno value. Between fork and exec the child calls only
/// async-signal-safe functions (setpgid, prctl, getppid, dup2, sigprocmask, sigaction, execve,
/// _exit), so it is safe from a multithreaded parent.
int gradscope_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                    int in, int out, int err, int die_with_parent);

#endif

"""Attack: a helper that leaves the run (new session, empty environment, out of its cgroup)
and lives on after the grader is done, to rewrite what the grader wrote.

The survivor writes its pid to the file named in SURVIVOR every 0.2 s for 20 s."""

import os
import sys

SURVIVOR = "/tmp/conclab-escape-survivor"
LOOP = (
    "import os, time\n"
    "for _ in range(100):\n"
    f"    open({SURVIVOR!r}, 'w').write(str(os.getpid()))\n"
    "    if os.fork() == 0:\n"
    "        os._exit(0)\n"
    "    time.sleep(0.2)\n"
)


def _escape():
    if os.fork() != 0:
        return
    os.setsid()
    if os.fork() != 0:
        os._exit(0)
    for cgroup in ("/sys/fs/cgroup/pids/cgroup.procs", "/sys/fs/cgroup/cgroup.procs"):
        try:
            with open(cgroup, "w") as fh:
                fh.write(str(os.getpid()))
        except OSError:
            pass
    os.execve(sys.executable, [sys.executable, "-c", LOOP], {})


_escape()


def split_into_chunks(items, n_chunks):
    return None


map_chunks = count_primes_in_chunk = count_primes_parallel = split_into_chunks

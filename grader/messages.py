"""Every text the grader shows a learner, in one place so that tests check the real words."""

# Status words used in reports and in the JSON output.
PASSED = "passed"
FAILED = "failed"
ERROR = "error"
TIMEOUT = "timeout"
NOT_RUN = "not run"
NOT_CHECKED = "not checked"  # progress: an exercise never graded against this target

TIMED_OUT = (
    "timed out after {seconds:g} s: your code never finished. Common causes: a deadlock "
    "(tasks waiting for each other or for a lock that is never released), joining a process "
    "before draining its queue, or a loop that never ends."
)
PROCESS_DIED = (
    "the grading process ended while this check was running (exit code {code}). "
    "Did your code call sys.exit() or os._exit(), or crash the interpreter?"
)
KILLED_BY_SIGNAL = (
    "the grading process was killed by signal {signal} while this check ran: {reason}"
)
SIGNAL_REASONS = {
    "SIGSEGV": "your code crashed the interpreter (a segmentation fault, e.g. from ctypes).",
    "SIGBUS": "your code crashed the interpreter (a bus error, e.g. from ctypes or mmap).",
    "SIGABRT": "the interpreter aborted, usually after a fatal error in C code.",
    "SIGXCPU": "your code used more than {cpu_seconds} s of CPU time.",
    "SIGXFSZ": "your code wrote a file larger than {file_mib} MiB.",
    "SIGKILL": "it was killed from outside, often because the machine ran out of memory.",
    "SIGTERM": "it was asked to stop from outside (SIGTERM): by your code, or the machine.",
    "SIGINT": "it was interrupted (SIGINT): by your code sending it, or by Ctrl-C.",
}
SIGNAL_OTHER = "a signal your code sent or did not handle; check os.kill and signal calls."
TOO_MANY_PROCESSES = (
    "Your code started more than {processes} processes at once, so the grader stopped it. "
    "Use a pool with a fixed number of workers instead of a process per item."
)
TOO_MANY_PROCESSES_CAPPED = (
    "Your code tried to start more than {processes} processes at once, so the grader refused "
    "the rest. Use a pool with a fixed number of workers instead of a process per item."
)
SESSION_STOPPED = (
    "the check never finished: your code stopped the test session (KeyboardInterrupt, "
    "pytest.exit, or an exit from a thread), so the grader has no result for it."
)
NO_PROGRESS = "got no further in a fresh process"
INTERRUPTED = "not run: grading was interrupted (Ctrl-C) before this check finished."
INTERNAL_ERROR = (
    "the grader itself failed on this exercise ({error}); this is not your code's fault. "
    "Please report it with the output of `python -m grader check -v`."
)
OUTPUT_CUT = "[... {dropped} more bytes of output were cut ...]"
OUTPUT_FLOOD = (
    "Your code also printed without end ({dropped} bytes were cut): is a print in a loop?"
)
IMPORT_NEVER_DONE = "never finished importing your file"
TWO_TIMEOUTS = "timed out twice"
NOT_RUN_AFTER = "not run: the grader {what}, so this check was skipped."
NOT_RECORDED = "the grader has no record of this check: it did not run to completion."
MISSING_FILE = (
    "your file {path} is missing: create it (copy the stub from exercises/) and try again."
)
IMPORT_FAILED = "your file {path} could not be imported: {error}"
MISSING_FUNCTION = (
    "your file {path} has no '{name}': define it with the signature given in the stub."
)
STUB_UNSOLVED = (
    "'{name}' still raises NotImplementedError: this task is not done yet (see the TODO in {path})."
)
NO_CHECKS_SELECTED = "no exercise matches {names}; known exercises: {known}"
HINT_POINTER = "Read hint {task} in {hints}."
CHECK_NEVER_RAISES = "The grader could not run: {error}"

YOUR_RUN = "Your run, as the check saw it (a row per thread or process, # while it ran a call):"
STACKS_HEADER = "Where your code was waiting when the time ran out:"
STACKS_CUT = "  [... {lines} more lines cut ...]"
VANISHED_HEADER = "Exceptions your code raised where nobody saw them:"
CAUSE_JOIN_BEFORE_DRAIN = (
    "a process cannot end while items it put on a queue are unread: read the queue before "
    "joining the process (join before drain)"
)
CAUSE_POOL_WAITS_ON_ITSELF = (
    "a task waits for another task of its own pool; when every worker waits, the tasks "
    "they wait for never start. Wait outside the pool, or use a second pool"
)
CAUSE_LOCK_ORDER = (
    "two threads each wait for a lock: if each holds the lock the other wants, neither can "
    "go on. Take locks in one fixed order everywhere"
)
CAUSE_SENTINEL = (
    "a consumer waits for an item while another thread waits for it to end: is a sentinel "
    "(a stop item) missing for one consumer? Send one per consumer"
)
FLAGGED = "flagged for review (the score stands until a person looks): {reasons}"

# What a whole run says at the end.
SUMMARY = "{done}/{total} exercises, {score:g}/{max_score:g} points"

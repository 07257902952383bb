"""Which executor fits a task: the decision guide of notebook 10, as a function and a widget."""

from __future__ import annotations

WORK = {
    "io": "waiting (network, disk, a database)",
    "python": "computing in pure Python",
    "native": "computing in NumPy or C code that releases the GIL",
}
DATA = {"small": "small (KB per task)", "large": "large (MB or more per task)"}
ISOLATION = {"no": "no", "yes": "yes (crashes, leaks, C code that is not thread-safe)"}


def recommend(work: str, data: str, isolation: str) -> tuple[str, str]:
    """The executor the decision guide picks, and why. Keys come from WORK, DATA, ISOLATION."""
    if work not in WORK or data not in DATA or isolation not in ISOLATION:
        raise ValueError(f"unknown answer: work={work!r}, data={data!r}, isolation={isolation!r}")
    if isolation == "yes":
        why = "only a separate process keeps a crash or a leak away from your program"
        if work == "io":
            why += "; for waiting alone, threads inside that one process are enough"
        if data == "large":
            why += "; send file names or use shared memory rather than pickling big data"
        return "ProcessPoolExecutor (max_tasks_per_child to recycle leaky workers)", why
    if work == "io":
        return (
            "ThreadPoolExecutor (or asyncio for thousands of connections)",
            "a waiting thread releases the GIL, threads are cheap and share memory; "
            "the worker count can exceed the cores",
        )
    if work == "native":
        return (
            "ThreadPoolExecutor, workers = usable CPUs",
            "the C code runs outside the GIL, and threads share the data without pickling; "
            "limit BLAS threads so workers x BLAS threads <= cores",
        )
    if data == "large":
        return (
            "ProcessPoolExecutor, but move less data",
            "pure Python needs processes for parallelism (unless the build is free-threaded), "
            "and every argument is pickled: pass names or indexes, or use shared memory",
        )
    return (
        "ProcessPoolExecutor, workers = usable CPUs, chunksize for many small tasks",
        "pure Python holds the GIL, so only processes (or a free-threaded build) run it in "
        "parallel",
    )


def decision_widget():
    """Three questions and the executor they lead to, updated as the answers change."""
    import ipywidgets as widgets

    def choice(label, options, value):
        return widgets.Dropdown(
            description=label,
            options=[(text, key) for key, text in options.items()],
            value=value,
            style={"description_width": "160px"},
            layout={"width": "560px"},
        )

    work = choice("The tasks spend time", WORK, "python")
    data = choice("Data per task", DATA, "small")
    isolation = choice("Need isolation?", ISOLATION, "no")
    answer = widgets.HTML()

    def refresh(_=None):
        pick, why = recommend(work.value, data.value, isolation.value)
        answer.value = f"<b>Use: {pick}</b><br>Why: {why}."

    for box in (work, data, isolation):
        box.observe(refresh, names="value")
    refresh()
    return widgets.VBox([work, data, isolation, answer])

"""Wrong: the CPU-bound compute stage runs in a thread pool, sharing the caller's GIL."""

from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

BREAKS = ["compute-processes"]
CAUGHT_BY = ["test_compute_runs_at_once_in_other_processes"]


def run_pipeline(
    items, download, compute, save, download_workers=4, compute_workers=2, save_workers=2
):
    items = list(items)
    results = [None] * len(items)
    with (
        ThreadPoolExecutor(download_workers) as downloads,
        ThreadPoolExecutor(compute_workers) as computes,
        ThreadPoolExecutor(save_workers) as saves,
    ):
        running = {downloads.submit(download, x): ("download", i) for i, x in enumerate(items)}
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for f in done:
                stage, i = running.pop(f)
                if stage == "download":
                    running[computes.submit(compute, f.result())] = ("compute", i)
                elif stage == "compute":
                    running[saves.submit(save, f.result())] = ("save", i)
                else:
                    results[i] = f.result()
    return results

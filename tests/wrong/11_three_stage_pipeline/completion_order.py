"""Wrong: overlapping stages, but results are collected in the order the saves finish."""

from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, ThreadPoolExecutor, wait

BREAKS = ["input-order"]
CAUGHT_BY = ["test_order_kept_when_later_items_finish_first"]


def run_pipeline(
    items, download, compute, save, download_workers=4, compute_workers=2, save_workers=2
):
    results = []
    with (
        ThreadPoolExecutor(download_workers) as downloads,
        ProcessPoolExecutor(compute_workers) as computes,
        ThreadPoolExecutor(save_workers) as saves,
    ):
        running = {downloads.submit(download, x): "download" for x in items}
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for f in done:
                stage = running.pop(f)
                if stage == "download":
                    running[computes.submit(compute, f.result())] = "compute"
                elif stage == "compute":
                    running[saves.submit(save, f.result())] = "save"
                else:
                    results.append(f.result())
    return results

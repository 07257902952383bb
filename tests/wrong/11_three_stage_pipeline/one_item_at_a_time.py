"""Wrong: three pools, but each item goes through all three stages before the next starts."""

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

BREAKS = ["overlap"]
CAUGHT_BY = [
    "test_downloads_run_at_the_same_time_in_threads",
    "test_compute_runs_at_once_in_other_processes",
    "test_saves_run_at_the_same_time_in_threads",
    "test_item_0_is_saved_while_a_later_item_downloads",
]


def run_pipeline(
    items, download, compute, save, download_workers=4, compute_workers=2, save_workers=2
):
    with (
        ThreadPoolExecutor(download_workers) as downloads,
        ProcessPoolExecutor(compute_workers) as computes,
        ThreadPoolExecutor(save_workers) as saves,
    ):
        results = []
        for item in items:
            data = downloads.submit(download, item).result()
            value = computes.submit(compute, data).result()
            results.append(saves.submit(save, value).result())
        return results

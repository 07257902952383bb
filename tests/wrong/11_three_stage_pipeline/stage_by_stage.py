"""Wrong: each stage waits for the whole previous stage, so the stages never overlap."""

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

BREAKS = ["overlap"]
CAUGHT_BY = ["test_item_0_is_saved_while_a_later_item_downloads"]


def run_pipeline(
    items, download, compute, save, download_workers=4, compute_workers=2, save_workers=2
):
    with ThreadPoolExecutor(download_workers) as pool:
        downloaded = list(pool.map(download, items))
    with ProcessPoolExecutor(compute_workers) as pool:
        computed = list(pool.map(compute, downloaded))
    with ThreadPoolExecutor(save_workers) as pool:
        return list(pool.map(save, computed))

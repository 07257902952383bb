"""Wrong: a thread per URL, ignoring max_workers."""

import threading

BREAKS = ["at-most-max-workers"]
CAUGHT_BY = ["test_never_more_than_max_workers_threads"]


def fetch_all(urls, fetch, max_workers=8):
    results = [None] * len(urls)
    errors = []

    def run(i, url):
        try:
            results[i] = fetch(url)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, u)) for i, u in enumerate(urls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results

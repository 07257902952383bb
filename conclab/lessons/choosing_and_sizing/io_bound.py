"""Sizing a thread pool for I/O with Little's law, against a service with a slot limit."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from conclab.viz.axes import finish_sweep_axes


class Service:
    """Stands for a remote service that answers in `seconds` and serves at most `slots`
    requests at once (a connection limit, a rate limit, a database's pool); more wait."""

    def __init__(self, slots: int = 8, seconds: float = 0.02):
        self.slots = slots
        self.seconds = seconds
        self._slots = threading.BoundedSemaphore(slots)  # held while a request is served
        self._count = threading.Lock()  # guards serving and peak
        self.serving = 0  # requests being served right now
        self.peak = 0  # the most served at once so far

    def request(self, _item=None) -> float:
        """One call: wait for a slot, then for the answer; returns its latency in seconds."""
        start = time.perf_counter()
        with self._slots:
            with self._count:
                self.serving += 1
                self.peak = max(self.peak, self.serving)
            time.sleep(self.seconds)
            with self._count:
                self.serving -= 1
        return time.perf_counter() - start

    @property
    def capacity(self) -> float:
        """Requests per second the service can answer at most: slots / seconds."""
        return self.slots / self.seconds


def io_sweep(service: Service, thread_counts, requests: int = 64) -> list[dict]:
    """Send `requests` calls through a thread pool of each size; per size: the seconds, the
    throughput (requests per second), the mean latency, and Little's law's L = throughput x
    latency, the mean number of requests in flight."""
    rows = []
    for threads in thread_counts:
        start = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            latencies = list(pool.map(service.request, range(requests)))
        seconds = time.perf_counter() - start
        throughput = requests / seconds
        latency = sum(latencies) / len(latencies)
        rows.append(
            {
                "threads": threads,
                "seconds": seconds,
                "throughput": throughput,
                "latency": latency,
                "in_flight": throughput * latency,
            }
        )
    return rows


def io_sweep_verdict(rows: list[dict], service: Service) -> str:
    """What the sweep shows, from its numbers: where throughput stopped growing and what
    the extra threads did instead."""
    best = max(rows, key=lambda r: r["throughput"])
    enough = min(
        (r for r in rows if r["throughput"] >= 0.9 * best["throughput"]), key=lambda r: r["threads"]
    )
    first, last = rows[0], rows[-1]
    text = (
        f"Throughput grew from {first['throughput']:.0f} requests/s with {first['threads']} "
        f"thread{'s' if first['threads'] > 1 else ''} to within 10 % of its best "
        f"({best['throughput']:.0f}/s) at {enough['threads']} threads; the service allows "
        f"{service.slots} at once, at most {service.capacity:.0f}/s. "
    )
    if last["threads"] > enough["threads"]:
        text += (
            f"With {last['threads']} threads it was {last['throughput']:.0f}/s, and each "
            f"request took {last['latency'] * 1000:.0f} ms instead of "
            f"{first['latency'] * 1000:.0f} ms: the extra threads only wait in line. "
        )
    target = 0.5 * service.capacity
    text += (
        f"Little's law sizes the pool: for {target:.0f} requests/s at "
        f"{first['latency'] * 1000:.0f} ms each, {target * first['latency']:.1f} requests must "
        "be in flight, so that many threads; more than the service allows at once buys nothing."
    )
    return text


def io_sweep_plot(rows: list[dict], service: Service):
    """Throughput against threads, with Little's law's threads / latency and the service's
    capacity as reference lines."""
    import matplotlib.pyplot as plt

    threads = [r["threads"] for r in rows]
    fig, ax = plt.subplots(figsize=(6, 3.4), layout="constrained")
    ax.plot(threads, [r["throughput"] for r in rows], "o-", label="measured")
    ax.plot(
        threads,
        [min(n / service.seconds, service.capacity) for n in threads],
        "--",
        color="grey",
        label=f"Little's law: threads / {service.seconds * 1000:.0f} ms, up to the limit",
    )
    limit = f"service limit: {service.slots} slots / {service.seconds * 1000:.0f} ms"
    ax.axhline(service.capacity, color="#bbbbbb", lw=4, alpha=0.6, label=limit)
    title = f"I/O-bound calls to a service with {service.slots} slots"
    finish_sweep_axes(ax, threads, "threads in the pool", "throughput (requests/s)", title)
    return fig

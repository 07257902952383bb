"""Hostile: leaves processes running after the function returns, one in a new session."""

import multiprocessing
import subprocess
import sys
import time

EXPECT = []


def _linger():
    time.sleep(300)


def split_into_chunks(items, n_chunks):
    multiprocessing.Process(target=_linger).start()
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"], start_new_session=True)
    return None


map_chunks = count_primes_in_chunk = count_primes_parallel = split_into_chunks

"""Helpers of one notebook each, named after it (`the_gil` for `02-the-gil`).

Everything a worker process runs is module-level here, so it pickles by reference under
every start method."""

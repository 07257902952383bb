"""Helpers of notebook 10-choosing-and-sizing, one module per part of the notebook:
`guide` (which executor), `cpus` (how many CPUs), `pools` (pool timings, BLAS threads,
memory), `amdahl` (what a sweep shows), `io_bound` (Little's law) and `pipeline` (three
stages, threads and processes together)."""

"""Basics the notebooks, probes and pictures share: the machine (env), the tracer,
workloads, and the start board through which running tasks say they started."""

"""The run engine: grades one exercise in isolated, timed, killable processes.

It knows the model (grader.manifest, grader.results, grader.messages) and nothing of
the course: what the checks' processes preload comes from the course's configuration."""

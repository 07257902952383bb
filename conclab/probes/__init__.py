"""What checks hand to a learner's code, to prove concurrency by construction: barriers,
pool spies, gates, recorded worker ids and spans. Graded processes import these."""

"""Hostile: the functions the checks call are not defined."""

EXPECT = ["has no 'split_into_chunks'"]


def something_else():
    return 42

"""Hostile: does not parse."""

EXPECT = ["SyntaxError"]

def split_into_chunks(items, n_chunks)
    return items

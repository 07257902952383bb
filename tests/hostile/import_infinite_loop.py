"""Hostile: never finishes importing."""

EXPECT = ["timed out", "never finished importing"]

while True:
    pass

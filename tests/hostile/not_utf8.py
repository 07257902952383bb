"""Hostile: not UTF-8 (Latin-1 bytes, no coding line)."""

EXPECT = ["SyntaxError"]

name = "café"

"""Hostile: sys.exit(0) while being imported."""

import sys

EXPECT = ["sys.exit(0)"]

sys.exit(0)

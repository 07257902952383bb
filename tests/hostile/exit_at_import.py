"""Hostile: os._exit(0) while being imported, hoping to look like success."""

import os

EXPECT = ["exit code 0"]

os._exit(0)

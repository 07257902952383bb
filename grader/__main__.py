"""`python -m grader`."""

import sys

from grader.frontends.cli import main

sys.exit(main())

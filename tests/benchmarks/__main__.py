"""`python -m tests.benchmarks`: run every benchmark and print the figures."""

import sys

from tests.benchmarks.run import main

sys.exit(main())

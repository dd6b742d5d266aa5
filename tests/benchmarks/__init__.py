"""Performance benchmarks (not part of the normal test run).

Run them all with `.venv/bin/python -m tests.benchmarks`; see README.md in this folder.
"""

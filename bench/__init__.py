"""Benchmarks: our gateway side by side with Apollo Gateway and Hive Gateway, in one run (issue 4).

``make bench`` (or ``python -m bench run``); see bench/README.md.
"""

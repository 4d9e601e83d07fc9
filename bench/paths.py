"""Where the benchmark keeps things: its cache (gitignored), results and Node sources."""

from __future__ import annotations

from pathlib import Path

__all__ = ["BENCH_DIR", "CACHE_DIR", "NODE_SOURCES", "RAW_DIR", "RESULTS_DIR", "ROOT"]

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CACHE_DIR = BENCH_DIR / ".cache"
NODE_SOURCES = BENCH_DIR / "node"
RESULTS_DIR = BENCH_DIR / "results"
RAW_DIR = RESULTS_DIR / "raw"

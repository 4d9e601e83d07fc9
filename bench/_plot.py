"""Draw the latency plot, in the bench venv's Python (it has matplotlib): JSON on stdin, PNG at argv[1].

Top row: latency by percentile (log scale), one line per gateway and mode;
bottom row: requests per second; one column per load shape.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

_COLOURS = {"ours": "#1b7837", "apollo": "#5e3c99", "hive": "#e08214"}
_STYLES = {"none": ":", "subgraph": "-", "inbound+subgraph": "--"}


def main() -> int:
    data: dict[str, Any] = json.load(sys.stdin)
    shapes: dict[str, list[dict[str, Any]]] = data["shapes"]
    percentiles: list[float] = data["percentiles"]
    figure, axes = plt.subplots(2, len(shapes), figsize=(7 * len(shapes), 9), squeeze=False)
    positions = list(range(len(percentiles)))
    for column, (shape, runs) in enumerate(shapes.items()):
        top, bottom = axes[0][column], axes[1][column]
        for run in runs:
            top.plot(
                positions,
                run["percentiles"],
                label=run["label"],
                color=_COLOURS.get(run["gateway"], "grey"),
                linestyle=_STYLES.get(run["mode"], "-") if run["gateway"] != "apollo" else "-",
                marker="o",
                markersize=3,
            )
        top.set_yscale("log")
        top.set_xticks(positions, [f"p{p:g}" for p in percentiles], rotation=45)
        top.set_ylabel("latency (ms, log scale)")
        top.set_title(f"{shape}: latency by percentile")
        top.grid(True, which="both", alpha=0.3)
        top.legend(fontsize=8)
        labels = [run["label"].replace(" / ", "\n") for run in runs]
        bars = bottom.bar(
            range(len(runs)), [run["rps"] for run in runs], color=[_COLOURS.get(r["gateway"]) for r in runs]
        )
        bottom.bar_label(bars, fmt="%.0f", fontsize=8)
        bottom.set_xticks(range(len(runs)), labels, fontsize=7)
        bottom.set_ylabel("requests / s")
        bottom.set_title(f"{shape}: throughput")
        bottom.grid(True, axis="y", alpha=0.3)
    figure.suptitle(data["title"])
    figure.tight_layout()
    figure.savefig(sys.argv[1], dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main())

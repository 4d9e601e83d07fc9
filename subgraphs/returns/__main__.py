import sys

from subgraphs.common.cli import run_subgraph
from subgraphs.returns import create_app

sys.exit(run_subgraph("returns", create_app, sys.argv[1:]))

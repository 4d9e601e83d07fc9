import sys

from subgraphs.catalog import create_app
from subgraphs.common.cli import run_subgraph

sys.exit(run_subgraph("catalog", create_app, sys.argv[1:]))

import sys

from subgraphs.common.cli import run_subgraph
from subgraphs.orders import create_app

sys.exit(run_subgraph("orders", create_app, sys.argv[1:]))

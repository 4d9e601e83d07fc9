import sys

from subgraphs.common.cli import run_subgraph
from subgraphs.inventory import create_app

sys.exit(run_subgraph("inventory", create_app, sys.argv[1:]))

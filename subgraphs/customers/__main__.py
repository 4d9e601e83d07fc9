import sys

from subgraphs.common.cli import run_subgraph
from subgraphs.customers import create_app

sys.exit(run_subgraph("customers", create_app, sys.argv[1:]))

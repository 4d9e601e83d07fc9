"""``python -m gateway``: the same as ``retail-gateway``."""

import sys

from gateway.cli import main

sys.exit(main())

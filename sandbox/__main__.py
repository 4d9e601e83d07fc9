"""``python -m sandbox SYSTEM``: the same as ``retail-sandbox SYSTEM``."""

import sys

from sandbox.cli import main

sys.exit(main())

"""``python -m statusproof``: the same as the ``statusproof`` command."""

import sys

from statusproof.cli import main

sys.exit(main())

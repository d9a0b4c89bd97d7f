"""`python -m apigen`."""

import sys

from apigen.cli import main

sys.exit(main())

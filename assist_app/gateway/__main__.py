"""``python -m assist_app.gateway`` = ``assist-gateway``."""

import sys

from assist_app.gateway.cli import main

sys.exit(main())

"""Console entry points. Each one imports its subsystem lazily so `assist-classify` never loads Qt."""

from __future__ import annotations

import sys


def gateway_main() -> None:
    from assist_app.gateway.cli import main

    sys.exit(main())


def sidebar_main() -> None:
    from assist_app.ui.app import main

    sys.exit(main())


def classify_main() -> None:
    from assist_app.nlp.cli import main

    sys.exit(main())


def review_main() -> None:
    from assist_app.review.cli import main

    sys.exit(main())

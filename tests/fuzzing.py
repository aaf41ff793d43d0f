"""How many examples a property or fuzz test tries: its own bound in CI and in ``make test``,
as many as ``CRESTLINE_FUZZ_EXAMPLES`` says when fuzzing for long on purpose:

    CRESTLINE_FUZZ_EXAMPLES=20000 .venv/bin/pytest tests/ingest \\
        -k "fuzzed or any_ or round_trip or one_row_in"
"""

from __future__ import annotations

import os


def examples(default: int) -> int:
    return int(os.environ.get("CRESTLINE_FUZZ_EXAMPLES", default))

"""The long schemathesis run: the same callers and checks as tests/api/test_schemathesis.py
(operator, town cadre, grid head, anonymous, a 12345 feed key; positive and negative cases; no 5xx,
answers as documented, errors JSON {"code", "message"}), with many more examples per operation.
In process (WSGI, no port opened), on the test database pytest creates.

    .venv/bin/python bench/schemathesis_long.py [EXAMPLES]          # default 30: ~12,000 requests
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fq_bench .venv/bin/python bench/schemathesis_long.py

Prints the requests, the statuses, the 5xx count and the check failures (the first 20).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    examples = sys.argv[1] if len(sys.argv) > 1 else "30"
    env = {**os.environ, "FENGQIAO_SCHEMATHESIS_EXAMPLES": examples}
    command = [str(ROOT / ".venv/bin/pytest"), "-q", "-s", "-p", "no:cacheprovider", "--create-db",
               "tests/api/test_schemathesis.py"]
    sys.exit(subprocess.call(command, cwd=ROOT, env=env))

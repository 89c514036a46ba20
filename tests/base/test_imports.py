from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_it_imports_the_base_library_without_django() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = (
        "import sys, heroweb.base, heroweb.base.log\n"
        "assert not [m for m in sys.modules if m.startswith('django')]"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=Path(__file__).resolve().parents[2])

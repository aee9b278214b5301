"""The production image's build step: collectstatic with the hashed, compressed storage production uses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_production_collectstatic_finds_every_file_the_styles_refer_to(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "MACFA_ENV": "production",
        "SECRET_KEY": "build-only-collectstatic-key-not-used-at-runtime-0123456789",
        "ALLOWED_HOSTS": "build",
        "DEBUG": "false",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "static" / "staticfiles.json").exists()
    assert not list((tmp_path / "static").rglob("*crest*"))  # no Crown branding shipped

"""Production refuses to start on unsafe settings and says which; development needs nothing set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 30 + "-production-secret-key-0123456789abcdef"


def start(env: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "MACFA_ENV"}}
    return subprocess.run(
        [sys.executable, "manage.py", *(command or ("check",))],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "macfa.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"ALLOWED_HOSTS": "macfa.example.org"}, "SECRET_KEY is missing or is the development default"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "macfa.example.org"}, "SECRET_KEY is too short or too simple"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "macfa.example.org", "DEBUG": "true"}, "DEBUG is on"),
        ({"SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS is empty"),
    ],
)
def test_production_refuses_to_start_and_says_why(env: dict[str, str], problem: str) -> None:
    result = start({"MACFA_ENV": "production", **env})
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert problem in result.stderr


def test_production_with_safe_settings_passes_the_deployment_check() -> None:
    result = start(
        {"MACFA_ENV": "production", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "macfa.example.org"},
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_development_starts_with_nothing_set() -> None:
    result = start({})
    assert result.returncode == 0, result.stderr

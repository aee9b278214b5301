"""No Docker engine runs here, so the compose file is checked by reading it against the settings and the code."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ["migrate", "web", "worker", "beat"]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command(service: dict[str, Any]) -> str:
    value = service["command"]
    return " ".join(value) if isinstance(value, list) else value


def test_compose_runs_every_part_of_the_service(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert command(services["web"]).startswith("gunicorn macfa.wsgi:application")
    assert command(services["worker"]).startswith("celery -A macfa worker")
    assert command(services["beat"]).startswith("celery -A macfa beat")
    assert command(services["migrate"]) == "python manage.py migrate --noinput"


def test_commands_name_modules_that_exist() -> None:
    assert importlib.import_module("macfa.wsgi").application is not None
    assert importlib.import_module("macfa.celery").app.main == "macfa"


def test_long_running_services_have_health_checks(compose: dict[str, Any]) -> None:
    for name in ["db", "redis", "web", "worker"]:
        assert compose["services"][name]["healthcheck"]["test"], name
    assert "/healthz/" in " ".join(compose["services"]["web"]["healthcheck"]["test"])


def test_app_services_wait_for_healthy_database_and_broker(compose: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        depends = compose["services"][name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
    assert compose["services"]["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_data_lives_in_named_volumes(compose: dict[str, Any]) -> None:
    declared = set(compose["volumes"])
    used = {volume.split(":")[0] for service in compose["services"].values() for volume in service.get("volumes", [])}
    assert used == declared == {"pgdata", "redisdata", "media"}


def test_every_environment_variable_given_to_the_app_is_read_by_the_settings(compose: dict[str, Any]) -> None:
    settings_source = (ROOT / "macfa" / "settings.py").read_text()
    for name in APP_SERVICES:
        environment = compose["services"][name]["environment"]
        for key in environment:
            assert f'"{key}"' in settings_source, f"{name} sets {key}, which macfa/settings.py never reads"
    required = {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "MACFA_ENV"}
    assert required <= set(compose["services"]["web"]["environment"])


def test_every_variable_the_compose_file_needs_is_documented_in_env_example() -> None:
    needed = set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "docker-compose.yml").read_text()))
    documented = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert needed <= documented, needed - documented


def test_the_compose_environment_passes_the_production_deployment_check(compose: dict[str, Any]) -> None:
    example = {
        "SECRET_KEY": "compose-check-" + "0123456789abcdef" * 4,
        "ALLOWED_HOSTS": "macfa.example.org",
        "POSTGRES_PASSWORD": "example",
        "MACFA_SITE_URL": "https://macfa.example.org",
    }

    def resolve(value: str) -> str:
        return re.sub(
            r"\$\{([A-Z_]+)(?::[-?]([^}]*))?\}",
            lambda m: example.get(m.group(1), m.group(2) if m.group(0).find(":-") > 0 else ""),
            str(value),
        )

    environment = {key: resolve(value) for key, value in compose["services"]["web"]["environment"].items()}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_the_image_contains_every_package_the_project_installs() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = {word for line in dockerfile.splitlines() if line.startswith("COPY") for word in line.split()[1:-1]}
    assert {"macfa", "agencies", "audits", "templates", "manage.py", "pyproject.toml"} <= copied
    assert "pip install -e ." in dockerfile  # runs from /app, where the templates are
    assert "FROM python:3.11" in dockerfile

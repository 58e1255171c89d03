"""The deployment files: docker-compose.yml (checked by Debian's docker-compose), .env.example,
the Dockerfile and the systemd unit, against the settings Parley really has.

No Docker engine runs here, so the image is not built; what can be checked without one is.
"""

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from parley.config import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
UNIT = ROOT / "deploy" / "parley@.service"

SETTINGS = {f"PARLEY_{name.upper()}" for name in Settings.model_fields}
FILLED = {
    "MYSQL_PASSWORD": "c0mposepass",
    "PARLEY_SECRET_KEY": "compose-test-secret-0123456789abcdef",
}


def docker_compose() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        raise AssertionError(
            "docker-compose is not installed: apt-get install docker-compose (.ci/run does)"
        )
    return binary


def compose_config(tmp_path: Path, env_text: str) -> subprocess.CompletedProcess[str]:
    """`docker compose config` in a copy of the project as a user has it: compose file + .env."""
    shutil.copy(COMPOSE, tmp_path / "docker-compose.yml")
    (tmp_path / ".env").write_text(env_text)
    return subprocess.run(
        [docker_compose(), "config"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def filled_env() -> str:
    text = ENV_EXAMPLE.read_text()
    for name, value in FILLED.items():
        text, n = re.subn(rf"^{name}=$", f"{name}={value}", text, flags=re.MULTILINE)
        assert n == 1, f"{name}= should appear once, empty, in .env.example"
    return text


@pytest.fixture
def resolved(tmp_path: Path) -> dict[str, Any]:
    result = compose_config(tmp_path, filled_env())
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


def test_compose_is_valid_and_waits_for_a_healthy_database(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    assert set(services) == {"parley", "mysql", "redis"}
    parley, mysql, redis = services["parley"], services["mysql"], services["redis"]
    assert parley["depends_on"] == {
        "mysql": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert parley["build"]["context"]
    # `parley serve` migrates before it serves: the image's command, not overridden here.
    assert "command" not in parley and "entrypoint" not in parley
    env = parley["environment"]
    assert env["PARLEY_ENV"] == "production"
    assert env["PARLEY_SECRET_KEY"] == FILLED["PARLEY_SECRET_KEY"]
    assert (
        env["PARLEY_DATABASE_URL"]
        == f"mysql+asyncmy://parley:{FILLED['MYSQL_PASSWORD']}@mysql:3306/parley"
    )
    assert env["PARLEY_REDIS_URL"].startswith("redis://redis:6379")
    # What compose hands Parley is a valid production configuration.
    Settings(
        **{k.removeprefix("PARLEY_").lower(): v for k, v in env.items() if k.startswith("PARLEY_")}
    )
    assert any(v.endswith(":/var/lib/parley:rw") for v in parley["volumes"])
    assert parley["ports"][0].startswith("127.0.0.1:8000:8000")

    assert mysql["image"].startswith("mysql:8")
    assert "--character-set-server=utf8mb4" in mysql["command"]
    assert "--collation-server=utf8mb4_bin" in mysql["command"]
    assert mysql["environment"]["MYSQL_DATABASE"] == "parley"
    assert mysql["environment"]["MYSQL_USER"] == "parley"
    assert mysql["environment"]["MYSQL_PASSWORD"] == FILLED["MYSQL_PASSWORD"]
    assert any(v.endswith(":/var/lib/mysql:rw") for v in mysql["volumes"])
    assert "127.0.0.1" in " ".join(mysql["healthcheck"]["test"])  # over TCP, as Parley connects
    assert redis["healthcheck"]["test"][-1] == "ping"
    assert set(resolved["volumes"]) == {"parley-data", "mysql-data"}


def test_compose_refuses_to_start_without_the_secrets(tmp_path: Path) -> None:
    result = compose_config(tmp_path, ENV_EXAMPLE.read_text())  # copied, not edited
    assert result.returncode != 0
    assert "set MYSQL_PASSWORD in .env" in result.stderr or "set PARLEY_SECRET_KEY" in result.stderr


def _parley_variables(text: str) -> set[str]:
    return set(re.findall(r"\b(PARLEY_[A-Z0-9_]+)\b", text))


def test_every_parley_variable_set_is_a_real_setting() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    compose_vars = {
        name for service in compose["services"].values() for name in service.get("environment", {})
    }
    example_vars = set(
        re.findall(r"^#?\s*(PARLEY_[A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE)
    )
    unit_vars = set(
        re.findall(r"^Environment=(PARLEY_[A-Z0-9_]+)=", UNIT.read_text(), re.MULTILINE)
    )
    docker_vars = set(re.findall(r"\b(PARLEY_[A-Z0-9_]+)=", DOCKERFILE.read_text()))
    for source, names in (
        ("docker-compose.yml", {n for n in compose_vars if n.startswith("PARLEY_")}),
        (".env.example", example_vars),
        ("deploy/parley@.service", unit_vars),
        ("Dockerfile", docker_vars),
    ):
        unknown = names - SETTINGS
        assert not unknown, (
            f"{source} sets {sorted(unknown)}, which parley.config.Settings does not have"
        )
    # Any PARLEY_ name mentioned anywhere in these files is real too (typos in comments).
    for path in (COMPOSE, ENV_EXAMPLE, DOCKERFILE, UNIT):
        assert not (_parley_variables(path.read_text()) - SETTINGS), path


def test_env_example_documents_every_setting_with_its_default(tmp_path: Path) -> None:
    text = ENV_EXAMPLE.read_text()
    missing = sorted(SETTINGS - set(re.findall(r"^#?\s*(PARLEY_[A-Z0-9_]+)=", text, re.MULTILINE)))
    assert not missing, f"document {missing} in .env.example"
    # Uncommenting every line changes nothing: each shows the real default, in a form
    # Parley parses (the JSON list of origins, the empty S3 values, ...).
    uncommented = re.sub(r"^# (PARLEY_[A-Z0-9_]+=)", r"\1", filled_env(), flags=re.MULTILINE)
    (tmp_path / ".env").write_text(uncommented)
    from_example = Settings(_env_file=tmp_path / ".env")  # type: ignore[call-arg]
    defaults = Settings(_env_file=None, secret_key=FILLED["PARLEY_SECRET_KEY"])  # type: ignore[call-arg]
    assert from_example.model_dump() == defaults.model_dump()


def test_dockerfile_builds_the_web_client_and_runs_unprivileged() -> None:
    text = DOCKERFILE.read_text()
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?", text, re.MULTILINE)
    assert len(stages) >= 3 and stages[0][0].startswith("node:") and stages[0][1] == "web"
    assert stages[-1][0].startswith("python:") and "slim" in stages[-1][0]
    assert "ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci" in text and "npm run build:web" in text
    # The web build's output directory is where vite puts it (desktop/vite.config.js).
    assert "outDir: '../../dist/web'" in (ROOT / "desktop" / "vite.config.js").read_text()
    assert "COPY --from=web /src/desktop/dist/web /opt/parley/web" in text
    assert re.search(r"PARLEY_WEB_DIR=/opt/parley/web", text)
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    health = re.search(r"^HEALTHCHECK .*\n?.*CMD .*", text, re.MULTILINE)
    assert health is not None and "/healthz" in health[0]
    cmd = re.findall(r"^CMD (.*)$", text, re.MULTILINE)[-1]
    assert '"parley", "serve"' in cmd and '"0.0.0.0"' in cmd
    # Everything the image copies exists, and .dockerignore keeps the bulky parts out.
    for source in re.findall(r"^COPY (?!--from)(\S+)", text, re.MULTILINE):
        assert (ROOT / source).exists(), source
    ignored = (ROOT / ".dockerignore").read_text().split()
    for heavy in (".git", ".venv", "desktop/node_modules", "data"):
        assert heavy in ignored


def test_systemd_unit_verifies(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip(
            "systemd-analyze is not installed (systemd's own tool); the unit is checked elsewhere"
        )
    parley = shutil.which("parley") or str(
        Path(__file__).resolve().parents[1] / ".venv" / "bin" / "parley"
    )
    unit = UNIT.read_text()
    assert "ExecStart=/opt/parley/venv/bin/parley serve --host 127.0.0.1 --port %i" in unit
    assert "KillSignal=SIGTERM" in unit
    local = unit.replace("/opt/parley/venv/bin/parley", parley).replace(
        "EnvironmentFile=/etc/parley/parley.env", "EnvironmentFile=-/etc/parley/parley.env"
    )
    (tmp_path / "parley@.service").write_text(local)
    result = subprocess.run(
        [analyze, "verify", "--man=no", str(tmp_path / "parley@8001.service")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr

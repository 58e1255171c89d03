"""Dependency audit: pip-audit over the installed environment, npm audit over desktop/.

Run by `make audit` (part of `make test`). A finding fails the step unless SECURITY.md
explains it: its advisory id (GHSA-..., PYSEC-..., CVE-...) listed under "Accepted
findings". When an advisory service cannot be reached, or answers without auditing
anything, the step says so plainly and does not fail: that is the service's outage, not
a finding, and the tests themselves never leave the machine.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ADVISORY_ID = re.compile(r"\b(?:GHSA(?:-[0-9a-z]{4}){3}|PYSEC-\d{4}-\d+|CVE-\d{4}-\d+)\b")
TIMEOUT = 300


def say(message: str) -> None:
    print(f"audit: {message}", flush=True)


def accepted_findings() -> set[str]:
    text = (ROOT / "SECURITY.md").read_text()
    section = text.split("## Accepted findings", 1)[-1].split("\n## ", 1)[0]
    return set(ADVISORY_ID.findall(section))


def run(command: list[str], cwd: Path) -> tuple[Any, str]:
    """The parsed JSON output (None when there is none), and stderr.

    Exit codes say little: both tools exit 1 for findings and for failures alike.
    """
    try:
        done = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        return None, f"no answer within {TIMEOUT}s"
    try:
        output = json.loads(done.stdout) if done.stdout.strip() else None
    except ValueError:
        output = None
    return output, done.stderr.strip()


def pip_audit(accepted: set[str]) -> list[str]:
    pip_audit = Path(sys.executable).parent / "pip-audit"
    ignores = [arg for vuln in sorted(accepted) for arg in ("--ignore-vuln", vuln)]
    command = [str(pip_audit), "--skip-editable", "--progress-spinner", "off", "-f", "json"]
    report, err = run(command + ignores, ROOT)
    if report is None:
        say(f"pip-audit could not audit (PyPI advisory service unreachable?): {err[-500:]}")
        return []
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    unaudited = [d["name"] for d in deps if "skip_reason" in d and d["name"] != "parley"]
    if not audited:
        say(
            f"pip-audit got no advisory data for any of {len(deps)} packages: the package "
            "index reachable here does not serve PyPI's JSON API. NOT AUDITED."
        )
        return []
    if unaudited:
        say(f"pip-audit could not audit {len(unaudited)} packages: {', '.join(unaudited)}")
    findings = [
        f"{d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v['fix_versions']) or '-'})"
        for d in audited
        for v in d.get("vulns", [])
    ]
    say(f"pip-audit checked {len(audited)} packages: {len(findings)} unexplained findings")
    return findings


def npm_audit(accepted: set[str], *, omit_dev: bool) -> list[str]:
    desktop = ROOT / "desktop"
    npm = shutil.which("npm")
    what = "npm audit --omit=dev" if omit_dev else "npm audit (dev dependencies included)"
    if npm is None or not (desktop / "package-lock.json").is_file():
        say(f"{what}: skipped, no npm or no desktop/package-lock.json")
        return []
    command = [npm, "audit", "--json", *(["--omit=dev"] if omit_dev else [])]
    report, err = run(command, desktop)
    if report is None or "error" in report:
        reason = (report or {}).get("error", {}).get("summary") or err[-500:]
        say(f"{what} could not audit (registry advisory endpoint unreachable?): {reason}")
        return []
    findings = []
    for name, vuln in report.get("vulnerabilities", {}).items():
        ids = {
            m
            for via in vuln.get("via", [])
            if isinstance(via, dict)
            for m in ADVISORY_ID.findall(str(via.get("url", "")))
        }
        if not ids & accepted:
            findings.append(
                f"{name} ({vuln.get('severity')}): {', '.join(sorted(ids)) or 'via a dependency'}"
            )
    counts = report.get("metadata", {}).get("dependencies", {})
    packages = counts.get("prod" if omit_dev else "total", "?")
    say(f"{what}: {packages} packages in the tree, {len(findings)} unexplained findings")
    return findings


def main() -> int:
    accepted = accepted_findings()
    failing = pip_audit(accepted) + npm_audit(accepted, omit_dev=True)
    # The web client's code is bundled from devDependencies (axios): the full audit is
    # reported too, but only the production tree decides the outcome.
    for finding in npm_audit(accepted, omit_dev=False):
        say(f"  note (dev tree): {finding}")
    for finding in failing:
        say(f"  FINDING: {finding}")
    if failing:
        say("explain each finding in SECURITY.md (Accepted findings) or upgrade the package")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Audit the installed dependencies for known vulnerabilities; fail on any left unexplained.

    .venv/bin/python scripts/audit_dependencies.py        # `make test` runs it first

pip-audit does the work. Where its per-version PyPI lookup is not served (some package
mirrors answer only the project-level JSON), a package installed at its latest release is
audited from that JSON's ``vulnerabilities`` list, which PyPI fills from the same OSV
data for the latest release. Anything still unaudited is listed, not hidden.

Every known vulnerability fails the audit unless ``audit-ignore.toml`` explains it: PyPI
reports no severity, so nothing is waved through as "only low".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
IGNORE_FILE = ROOT / "audit-ignore.toml"
PROJECT = "nba-assets"
PYPI = os.environ.get("NBA_AUDIT_PYPI_URL", "https://pypi.org/pypi")


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    vuln_id: str
    fixed_in: tuple[str, ...]
    summary: str


def pip_audit() -> dict:
    """pip-audit's JSON report of this interpreter's environment."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--progress-spinner",
            "off",
            "--skip-editable",
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    # pip-audit exits 1 when it finds vulnerabilities; its JSON is on stdout either way.
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise SystemExit(
            f"pip-audit gave no report (exit {done.returncode}):\n{done.stderr}"
        ) from exc


def _project_vulns(client: httpx.Client, name: str, version: str) -> list[Finding] | None:
    """Vulnerabilities of ``name`` from PyPI's project JSON, when ``version`` is its latest
    release (the only one that list describes); None when it cannot say."""
    try:
        response = client.get(f"{PYPI}/{name}/json")
        response.raise_for_status()
        project = response.json()
    except (httpx.HTTPError, ValueError):
        return None
    if project.get("info", {}).get("version") != version or "vulnerabilities" not in project:
        return None
    return [
        Finding(
            name,
            version,
            v["id"],
            tuple(v.get("fixed_in") or ()),
            (v.get("summary") or v.get("details") or "")[:200],
        )
        for v in project["vulnerabilities"]
        if not v.get("withdrawn")
    ]


def audit() -> tuple[list[Finding], list[str]]:
    report = pip_audit()
    findings: list[Finding] = []
    skipped: list[tuple[str, str]] = []
    for dep in report.get("dependencies", []):
        if dep["name"] == PROJECT:
            continue
        if "skip_reason" in dep:
            try:
                skipped.append((dep["name"], metadata.version(dep["name"])))
            except metadata.PackageNotFoundError:
                skipped.append((dep["name"], dep.get("version", "?")))
            continue
        for v in dep.get("vulns", []):
            fixed = tuple(v.get("fix_versions") or ())
            findings.append(
                Finding(dep["name"], dep["version"], v["id"], fixed, v.get("description", "")[:200])
            )
    unaudited: list[str] = []
    with httpx.Client(timeout=20, follow_redirects=True) as client, ThreadPoolExecutor(8) as pool:
        answers = pool.map(lambda nv: _project_vulns(client, *nv), skipped)
        for (name, version), answer in zip(skipped, answers, strict=True):
            if answer is None:
                unaudited.append(f"{name} {version}")
            else:
                findings.extend(answer)
    return findings, unaudited


def explained() -> dict[str, str]:
    if not IGNORE_FILE.exists():
        return {}
    entries = tomllib.loads(IGNORE_FILE.read_text()).get("ignore", [])
    return {e["id"]: e["reason"] for e in entries}


def main() -> int:
    findings, unaudited = audit()
    reasons = explained()
    open_findings = [f for f in findings if f.vuln_id not in reasons]
    audited = "all" if not unaudited else f"all but {len(unaudited)}"
    print(f"dependency audit: {audited} installed packages audited, {len(findings)} known issue(s)")
    for f in findings:
        why = reasons.get(f.vuln_id)
        state = f"explained: {why}" if why else "OPEN"
        fix = f" (fixed in {', '.join(f.fixed_in)})" if f.fixed_in else ""
        print(f"  {f.package} {f.version} {f.vuln_id}{fix}: {state}")
    if unaudited:
        print(f"  not audited (no vulnerability data reachable): {', '.join(sorted(unaudited))}")
    if open_findings:
        print(
            f"{len(open_findings)} unexplained vulnerability(ies): upgrade, or explain each in"
            f" {IGNORE_FILE.name}"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

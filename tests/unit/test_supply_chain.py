"""The production dependency set is locked with hashes (requirements/production.lock, used by
.ci/run and the README's install), and deploy/sbom turns it into a CycloneDX SBOM offline."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "production.lock"
PRODUCTION_EXTRAS = ("postgres",)  # production runs on PostgreSQL; test and release extras are not locked


def production_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [r for name in PRODUCTION_EXTRAS for r in project["optional-dependencies"][name]]
    return [Requirement(r) for r in [*project["dependencies"], *extras]]


def locked() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes), from the lock's requirement entries."""
    entries: dict[str, tuple[str, list[str]]] = {}
    text = re.sub(r"\\\n\s*", " ", LOCK.read_text())  # one logical line per requirement
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==([^\s;]+)((?:\s+--hash=sha256:[0-9a-f]{64})+)", line)
        assert match, f"not a pinned requirement with hashes: {line!r}"
        entries[canonicalize_name(match.group(1))] = (match.group(2), re.findall(r"[0-9a-f]{64}", match.group(3)))
    return entries


def test_every_production_dependency_is_pinned_with_hashes():
    entries = locked()
    for requirement in production_requirements():
        name = canonicalize_name(requirement.name)
        assert name in entries, f"{requirement} is not in {LOCK.name}: regenerate it (README, Dependencies)"
        version, hashes = entries[name]
        assert requirement.specifier.contains(version, prereleases=True), f"{name}=={version} breaks {requirement}"
        assert hashes, name
        for extra in requirement.extras:  # psycopg[binary] -> psycopg-binary
            assert canonicalize_name(f"{name}-{extra}") in entries, f"{name}[{extra}]"


def test_the_lock_has_no_unpinned_or_unhashed_line():
    entries = locked()  # asserts every entry is name==version with sha256 hashes
    assert len(entries) >= len(production_requirements())
    assert not re.search(r"^\s*(-e|--editable|-i|--index-url|--extra-index-url|-f|--find-links)\b", LOCK.read_text(), re.M)


def test_the_sbom_command_lists_every_locked_component_offline(tmp_path):
    bin_dir = Path(sys.executable).parent
    dead = "http://127.0.0.1:9"  # any attempt to reach an index fails at once
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "HTTP_PROXY": dead,
           "HTTPS_PROXY": dead, "ALL_PROXY": dead, "http_proxy": dead, "https_proxy": dead, "NO_PROXY": "",
           "no_proxy": "", "PIP_NO_INDEX": "1", "SOURCE_DATE_EPOCH": "1767225600"}
    output = tmp_path / "sbom.cdx.json"
    result = subprocess.run([str(ROOT / "deploy" / "sbom"), str(output)], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    bom = json.loads(output.read_text())
    assert bom["bomFormat"] == "CycloneDX" and bom["metadata"]["component"]["name"] == "forum"
    components = {canonicalize_name(c["name"]): c for c in bom["components"]}
    entries = locked()
    assert set(components) == set(entries)
    for name, (version, hashes) in entries.items():
        component = components[name]
        assert component["version"] == version and component["purl"] == f"pkg:pypi/{name}@{version}"
        listed = {h["content"] for ref in component.get("externalReferences", []) for h in ref.get("hashes", [])}
        assert listed == set(hashes), name

"""Fail when a pin in pyproject.toml is missing from, or differs in, the lock files that `make
install` and the Dockerfile install from, so that nobody tests one set of versions and ships
another. `make lock` brings them back in step."""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;#]+)")


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()


def _pins(lines) -> dict[str, str]:
    pins = {}
    for line in lines:
        match = PIN.match(line.strip())
        if match:
            pins[_name(match.group(1))] = match.group(2)
    return pins


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _pins(project["dependencies"])
    extras = {}
    for group in project.get("optional-dependencies", {}).values():
        extras.update(_pins(group))
    expected = {
        "requirements.lock": runtime,
        "requirements-dev.lock": {**runtime, **extras},
    }
    problems = []
    for lock_name, wanted in expected.items():
        path = ROOT / lock_name
        if not path.exists():
            problems.append(f"{lock_name} is missing")
            continue
        locked = _pins(path.read_text().splitlines())
        for name, version in sorted(wanted.items()):
            if locked.get(name) != version:
                found = locked.get(name, "absent")
                problems.append(f"{lock_name}: {name} is {found}, pyproject.toml pins {version}")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("Run `make lock` to bring the lock files in step.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

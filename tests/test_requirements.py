"""The locks: every package the code imports is a direct dependency, and each lock is made from its list."""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_CODE = ["app.py", "gunicorn.conf.py", "learning", "migrations"]
DEVELOPMENT_CODE = ["tests", "tools", "bench"]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def listed(path: str) -> set[str]:
    """The packages a requirements file names (its own lines, not those of files it includes)."""
    names = set()
    for line in (ROOT / path).read_text(encoding="utf-8").splitlines():
        requirement = line.split("#")[0].strip()
        if requirement and not requirement.startswith("-"):
            names.add(canonical(re.match(r"[A-Za-z0-9._-]+", requirement).group()))
    return names


def pins(path: str) -> set[str]:
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    return {canonical(line.split("==")[0]) + "==" + line.split("==")[1] for line in lines if "==" in line}


def imported_distributions(folders: list[str]) -> dict[str, str]:
    """Third-party distribution -> a file that imports it, for every top-level import under these paths."""
    distributions = packages_distributions()
    found = {}
    for entry in folders:
        files = [ROOT / entry] if entry.endswith(".py") else sorted((ROOT / entry).rglob("*.py"))
        for file in files:
            for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module]
                else:
                    continue
                for name in (n.split(".")[0] for n in names):
                    local = (ROOT / name).is_dir() or (file.parent / f"{name}.py").exists()
                    if name in sys.stdlib_module_names or local:
                        continue
                    for distribution in distributions.get(name, [name]):
                        found.setdefault(canonical(distribution), str(file.relative_to(ROOT)))
    return found


def test_the_code_imports_only_direct_dependencies():
    runtime = listed("requirements.in")
    missing = {d: f for d, f in imported_distributions(RUNTIME_CODE).items() if d not in runtime}
    assert not missing, f"add to requirements.in and recompile the locks: {missing}"
    # The load test's Locust is listed apart (requirements-bench.in): the suite never needs it.
    development = runtime | listed("requirements-test.in") | listed("requirements-bench.in")
    missing = {d: f for d, f in imported_distributions(DEVELOPMENT_CODE).items() if d not in development}
    assert not missing, f"add to requirements-test.in (or requirements-bench.in) and recompile the lock: {missing}"


def test_each_lock_pins_its_list_and_the_test_lock_installs_the_runtime_lock():
    runtime_lock, test_lock = pins("requirements.txt"), pins("requirements-test.txt")
    assert listed("requirements.in") <= {pin.split("==")[0] for pin in runtime_lock}
    assert listed("requirements-test.in") <= {pin.split("==")[0] for pin in test_lock}
    assert runtime_lock <= test_lock, "recompile requirements-test.txt after requirements.txt"
    bench_lock = pins("requirements-bench.txt")
    assert listed("requirements-bench.in") <= {pin.split("==")[0] for pin in bench_lock}
    assert test_lock <= bench_lock, "recompile requirements-bench.txt after requirements-test.txt"

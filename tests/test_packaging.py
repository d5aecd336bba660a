"""What `pip install .` ships: every module of the package and its data files."""

from __future__ import annotations

import ast
from pathlib import Path

from setuptools import find_packages
from setuptools.config.setupcfg import read_configuration

ROOT = Path(__file__).resolve().parent.parent


def test_every_folder_with_python_code_is_a_package_that_setuptools_finds() -> None:
    found = set(find_packages(where=str(ROOT), include=["survey_app*"]))
    folders = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "survey_app").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert folders - found == set(), "add an __init__.py, or the wheel leaves these out"


def test_every_folder_of_data_files_is_a_package_so_setuptools_ships_it_without_warnings() -> None:
    # A data folder that setuptools does not list as a package prints "Package would be
    # ignored" at every install (twelve of them in `make run`'s output before).
    packages = set(read_configuration(str(ROOT / "setup.cfg"))["options"]["packages"])
    folders = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "survey_app").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert folders - packages == set()
    assert not any("__pycache__" in package or package.startswith("tests") for package in packages)


def test_the_data_files_are_declared_as_package_data() -> None:
    setup_cfg = (ROOT / "setup.cfg").read_text()
    for pattern in (
        "instruments/files/*.yaml",
        "instruments/shared/*.yaml",
        "instruments/shared/blocks/*.yaml",
        "templates/**/*",
        "static/**/*",
        "*.yaml",
    ):
        assert pattern in setup_cfg, pattern
    assert list((ROOT / "survey_app" / "instruments" / "files").glob("*.yaml"))


def test_the_readme_map_names_every_package() -> None:
    """The README's "Where things live" table is how a newcomer finds a feature: a package
    missing from it fails here."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Where things live", 1)[1].split("\n## ", 1)[0]
    packages = {
        path.name
        for path in (ROOT / "survey_app").iterdir()
        if path.is_dir() and not path.name.startswith("__")
    }
    missing = {name for name in packages if f"survey_app/{name}/" not in table}
    assert missing == set(), f"add these to the README's map: {sorted(missing)}"


def test_the_test_folders_mirror_the_package() -> None:
    """tests/<name>/ tests survey_app/<name>/ (tests/e2e/ runs in a browser); a test module
    named after a round of work says nothing of what it tests."""
    folders = {p.name for p in (ROOT / "tests").iterdir() if (p / "__init__.py").exists()}
    packages = {p.name for p in (ROOT / "survey_app").iterdir() if (p / "__init__.py").exists()}
    assert folders - {"e2e"} <= packages, folders - packages
    rounds = {"polish", "review", "edges", "misc", "fixes", "more", "extra"}
    named = [p.name for p in (ROOT / "tests").rglob("test_*.py") if rounds & set(p.stem.split("_"))]
    assert named == []


def _imported(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in a module of the package, ``from x import y``
    giving both x and x.y (y may be a module)."""
    package = list(path.relative_to(ROOT).with_suffix("").parts[:-1])
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module or "").split(".")]).strip(".")
            out += [
                (node.lineno, module),
                *((node.lineno, f"{module}.{a.name}") for a in node.names),
            ]
    return out


def test_the_export_never_imports_the_report() -> None:
    """One direction: report/ reads the export's rows; the workbook that joins both packages'
    sheets lives above them, in downloads/."""
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in (ROOT / "survey_app" / "export").rglob("*.py")
        for line, module in _imported(path)
        if module == "survey_app.report" or module.startswith("survey_app.report.")
    ]
    assert found == []

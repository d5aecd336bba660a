"""Reading the project's YAML files (instruments, scales, blocks, the study file): one way to read
a file, validate it with a marshmallow schema, and turn every problem into one line naming the
file, the path inside it and the problem, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from marshmallow import ValidationError

from ..user_errors import UserError


class InstrumentError(UserError):
    """One or more problems in instrument files; ``problems`` holds one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def error_lines(errors: Any, path: str = "") -> list[str]:
    """Marshmallow's nested error dict -> ['sections[2].items[4].scale: msg', ...]."""
    if isinstance(errors, list):
        if all(isinstance(e, str) for e in errors):
            return [f"{path or '(top)'}: {_plain(e)}" for e in errors]
        return [line for e in errors for line in error_lines(e, path)]
    if isinstance(errors, dict):
        lines: list[str] = []
        for key, value in errors.items():
            if key in ("_schema", "value"):  # "value": marshmallow's level for dict values
                child = path
            elif key == "key":
                child = f"{path} (name)"
            elif isinstance(key, int):
                child = f"{path}[{key}]"
            else:
                child = f"{path}.{key}" if path else str(key)
            lines.extend(error_lines(value, child))
        return lines
    return [f"{path or '(top)'}: {_plain(str(errors))}"]


def _plain(message: str) -> str:
    return {
        "Unknown field.": "unknown field (check its spelling)",
        "Missing data for required field.": "missing",
        "Not a valid integer.": "not a whole number",
    }.get(message, message)


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InstrumentError([f"{path.name}: cannot read the file: {exc}"]) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InstrumentError([f"{path.name}: {where}YAML syntax error: {problem}"]) from None


def validated(schema: Any, data: Any, name: str) -> dict[str, Any]:
    """``data`` loaded by ``schema``; every problem a line starting with ``name``."""
    if not isinstance(data, dict):
        raise InstrumentError([f"{name}: (top): expected a mapping of fields"])
    try:
        result: dict[str, Any] = schema.load(data)
    except ValidationError as exc:
        raise InstrumentError([f"{name}: {line}" for line in error_lines(exc.messages)]) from None
    return result

"""JSON text parsed with NaN, Infinity, overflowing numbers and deep nesting refused. Pure.

Python's ``json`` accepts ``NaN`` and ``Infinity``, turns ``1e400`` into ``inf`` and recurses
until a RecursionError on deeply nested arrays; every JSON paramtui reads (config.json, saved
models, safetensors headers, indexes, Hub answers) goes through :func:`parse_json` instead, so
such input is one line of error where it enters.
"""

from __future__ import annotations

import json
import math
from typing import Any

from paramtui.engine.limits import JSON_DEPTH


class JsonInputError(ValueError):
    """JSON that paramtui refuses; the message is one line naming where it came from."""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number this tool accepts (numbers must be finite)")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:30]} is not a number this tool accepts (it overflows to infinity)")
    return value


def _depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value, without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in item)
    return deepest


def parse_json(raw: bytes | str, where: str) -> Any:
    """Parse JSON text with NaN, Infinity, numbers that overflow and deep nesting refused.

    Args:
        raw: the text (UTF-8 bytes or str).
        where: names the file in messages.

    Raises:
        JsonInputError: not UTF-8, not JSON, a non-finite number, or nesting past JSON_DEPTH.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise JsonInputError(f"{where} is not UTF-8 text") from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise JsonInputError(f"{where} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise JsonInputError(f"{where} nests deeper than the {JSON_DEPTH} levels this tool reads") from None
    except ValueError as exc:  # a refused constant, or an integer past Python's digit limit
        raise JsonInputError(f"{where}: {str(exc).splitlines()[0]}") from None
    if _depth(value) > JSON_DEPTH:
        raise JsonInputError(f"{where} nests deeper than the {JSON_DEPTH} levels this tool reads")
    return value

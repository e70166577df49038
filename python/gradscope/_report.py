"""The report of a check: a thin, read-only view of the binary's JSON report.

Field names follow the JSON (camelCase); every field can also be read in
snake_case (``block.max_error`` is ``block.json["maxError"]``).
"""

from __future__ import annotations

import math
from typing import Any, Dict, Iterator, List, Optional, Tuple

__all__ = ["Report", "Block", "Entry", "Diagnosis"]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class _Record:
    """Attribute access to one JSON object's members (JSON or snake_case names)."""

    __slots__ = ("json",)

    def __init__(self, data: Dict[str, Any]) -> None:
        self.json = data

    def __getattr__(self, name: str) -> Any:
        data = object.__getattribute__(self, "json")
        if name in data:
            return data[name]
        camel = _camel(name)
        if camel in data:
            return data[camel]
        raise AttributeError("%s has no field %r (fields: %s)"
                             % (type(self).__name__, name, ", ".join(sorted(data))))

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | set(self.json))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.json == self.json  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]


class Diagnosis(_Record):
    """One finding: ``.code`` (e.g. "bias-only", "sign") and ``.message``; ``.block`` when it names one."""

    def __repr__(self) -> str:
        return "Diagnosis(%r, %r)" % (self.json.get("code"), self.json.get("message"))


def _unravel(index: int, shape: List[int]) -> Tuple[int, ...]:
    position = []
    for dim in reversed(shape):
        if dim <= 0:
            return (index,)
        position.append(index % dim)
        index //= dim
    return tuple(reversed(position))


class Entry(_Record):
    """One checked entry: ``.block``, ``.index`` (flat, row-major), ``.numeric``, ``.analytic``,
    ``.error``, ``.bound``, ``.step``, ``.verdict`` and the other JSON fields; ``.position``
    is the index unravelled in the block's shape."""

    __slots__ = ("position",)

    def __init__(self, data: Dict[str, Any], shape: Optional[List[int]]) -> None:
        super().__init__(data)
        index = data.get("index")
        self.position = (_unravel(index, shape) if isinstance(index, int) and shape is not None
                         else None)

    def __repr__(self) -> str:
        return "Entry(%s%s: numeric %s, analytic %s, error %s, bound %s, %s)" % (
            self.json.get("block"), list(self.position) if self.position is not None else "",
            _short(self.json.get("numeric")), _short(self.json.get("analytic")),
            _short(self.json.get("error")), _short(self.json.get("bound")),
            self.json.get("verdict"))


class Block(_Record):
    """One parameter block (or, for vector-valued checks, one (output, input) pair):
    ``.name``, ``.verdict``, ``.shape``, ``.checked``, ``.failing``, ``.max_error``,
    ``.diagnosis`` (a list of Diagnosis) and ``.entries`` (this block's entries)."""

    __slots__ = ("diagnosis", "entries")

    def __init__(self, data: Dict[str, Any], entries: List[Entry]) -> None:
        super().__init__(data)
        self.diagnosis = [Diagnosis(d) for d in data.get("diagnosis") or []]
        self.entries = entries

    def __repr__(self) -> str:
        return "Block(%r %s: %s, %s checked, %s failing, max error %s)" % (
            self.json.get("name"), self.json.get("shape"), self.json.get("verdict"),
            self.json.get("checked"), self.json.get("failing"), _short(self.json.get("maxError")))


def _short(v: Any) -> str:
    if isinstance(v, float) and math.isfinite(v):
        return "%.3g" % v
    return str(v)


class Report(_Record):
    """The result of ``gradscope.check``.

    ``.verdict`` is "pass", "fail", "inconclusive" or "error"; ``.passed`` is
    ``verdict == "pass"``; ``.blocks`` and ``.entries`` come in the order of the
    inputs; ``.diagnosis`` holds the report-wide findings; ``.error`` the message
    of an "error" verdict (None otherwise); ``.text`` the plain text report;
    ``.json`` the JSON report as a dict.  ``report["W"]`` is the block named W.

    A report has no truth value: write ``assert report.passed`` (or use
    ``gradscope.assert_gradients``), never ``assert report``.
    """

    __slots__ = ("text", "blocks", "entries", "diagnosis")

    def __init__(self, data: Dict[str, Any], text: str = "") -> None:
        super().__init__(data)
        shapes = {b.get("name"): b.get("shape") for b in data.get("blocks") or []}
        self.entries = [Entry(e, shapes.get(e.get("block"))) for e in data.get("entries") or []]
        by_block: Dict[Any, List[Entry]] = {}
        for entry in self.entries:
            by_block.setdefault(entry.json.get("block"), []).append(entry)
        self.blocks = [Block(b, by_block.get(b.get("name"), [])) for b in data.get("blocks") or []]
        self.diagnosis = [Diagnosis(d) for d in data.get("diagnosis") or []]
        self.text = text or _fallback_text(data)

    @property
    def passed(self) -> bool:
        return self.json.get("verdict") == "pass"

    @property
    def error(self) -> Optional[str]:
        return self.json.get("error")

    def __getitem__(self, name: str) -> Block:
        for block in self.blocks:
            if block.json.get("name") == name:
                return block
        raise KeyError("no block named %r (blocks: %s)"
                       % (name, ", ".join(str(b.json.get("name")) for b in self.blocks)))

    def __iter__(self) -> Iterator[Block]:
        return iter(self.blocks)

    def __len__(self) -> int:
        return len(self.blocks)

    def __bool__(self) -> bool:
        raise TypeError("a gradscope Report has no truth value: use report.passed "
                        "(or report.verdict), or gradscope.assert_gradients(...)")

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        d = self.json
        verdict = str(d.get("verdict", "?")).upper()
        if d.get("verdict") == "error":
            return "<gradscope Report ERROR: %s>" % d.get("error")
        failing = [b.json.get("name") for b in self.blocks if b.json.get("verdict") == "fail"]
        parts = ["%d block%s" % (len(self.blocks), "" if len(self.blocks) == 1 else "s")]
        if failing:
            parts.append("failing: " + ", ".join(map(str, failing)))
        parts.append("%s evaluations" % d.get("evaluations"))
        if isinstance(d.get("seconds"), (int, float)):
            parts.append("%.3g s" % d["seconds"])
        return "<gradscope Report %s: %s>" % (verdict, "; ".join(parts))


def _fallback_text(data: Dict[str, Any]) -> str:
    """A short text report when the binary wrote none (an older binary, or an early error)."""
    lines = []
    if data.get("verdict") == "error":
        lines.append("gradscope check: error: %s" % data.get("error"))
    for b in data.get("blocks") or []:
        lines.append("%-12s %-14s %-12s %s checked, %s failing, max error %s" % (
            b.get("name"), b.get("shape"), str(b.get("verdict")).upper(), b.get("checked"),
            b.get("failing"), _short(b.get("maxError"))))
        for d in b.get("diagnosis") or []:
            lines.append("    %s: %s" % (d.get("code"), d.get("message")))
    for d in data.get("diagnosis") or []:
        lines.append("%s: %s" % (d.get("code"), d.get("message")))
    lines.append("summary: %s" % str(data.get("verdict")).upper())
    return "\n".join(lines) + "\n"

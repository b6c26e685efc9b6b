"""The speed figures of ``make bench``, one module a measure, registered here by name.

Each module in ``MODULES`` defines ``add_arguments(parser)`` (optional) and ``run(args) -> list[Figure]``; a
figure is printed as measured, and where the measure has a target, as a ratio against the peer tool timed in the
same run and whether the target is met. Figures are never asserted in tests: the machine they run on varies.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

MODULES: tuple[str, ...] = ("corpus", "rescan", "workers", "digital", "ocr", "lookback")


@dataclass(frozen=True)
class Figure:
    """One measured figure: what was measured, its value as printed, and the target it answers to (if any)."""

    name: str
    value: str
    target: str | None = None
    met: bool | None = None

    def line(self) -> str:
        text = f"{self.name}: {self.value}"
        if self.target is not None:
            verdict = "met" if self.met else "NOT met"
            text += f"  [target {self.target}: {verdict}]"
        return text


def load(name: str) -> ModuleType:
    if name not in MODULES:
        raise KeyError(name)
    return importlib.import_module(f"appraiser.benchmarks.{name}")

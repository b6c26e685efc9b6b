"""Layout from word boxes: text lines, phrases (runs of words without a column gap), blocks below a point.

Everything here is geometry over :class:`~appraiser.extract.pages.Word` records, so it works the same on the
PDF text layer and on OCR output. Coordinates are PDF points, origin top-left.
"""
from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import Iterable, Sequence

from .pages import Rule, Word


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def lines_of(words: Iterable[Word]) -> list[list[Word]]:
    """Group words into text lines (by vertical overlap), top to bottom, each left to right."""
    ws = sorted(words, key=lambda w: (w.page, w.top, w.x0))
    heights = sorted(w.height for w in ws)
    tall = 1.6 * heights[len(heights) // 2] if heights else 0.0  # a mark or stray box taller than text
    lines: list[list[Word]] = []
    bands: list[tuple[int, float, float]] = []  # page, top, bottom of each line
    for w in ws:
        placed = False
        # a word joins the most recent line it overlaps by half its height (lines are few per band)
        for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            page, top, bottom = bands[i]
            if page != w.page:
                continue
            h = min(bottom - top, w.height) or 1.0
            if _overlap(top, bottom, w.top, w.bottom) >= 0.5 * h:
                lines[i].append(w)
                if w.height <= tall:  # a tall mark joins a line without stretching it over the next one
                    bands[i] = (page, min(top, w.top), max(bottom, w.bottom))
                placed = True
                break
        if not placed:
            lines.append([w])
            bands.append((w.page, w.top, w.bottom))
    for ln in lines:
        ln.sort(key=lambda w: w.x0)
    lines.sort(key=lambda ln: (ln[0].page, min(w.top for w in ln)))
    return lines


@dataclass(slots=True)
class Phrase:
    """Words of one line with no column gap between them."""

    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def page(self) -> int:
        return self.words[0].page

    @property
    def height(self) -> float:
        return self.bottom - self.top


def gap_threshold(words: Sequence[Word]) -> float:
    """The horizontal gap that separates columns: about one text height (a space is a third of it)."""
    hs = [w.height for w in words if w.height > 0]
    return 0.9 * (median(hs) if hs else 10.0)


def phrases_of(line: Sequence[Word], gap: float | None = None) -> list[Phrase]:
    """Split one line into phrases at gaps wider than ``gap`` (default: from the line's text height)."""
    if not line:
        return []
    g = gap if gap is not None else gap_threshold(line)
    out: list[Phrase] = [Phrase([line[0]])]
    for prev, w in zip(line, line[1:]):
        if w.x0 - prev.x1 > g:
            out.append(Phrase([w]))
        else:
            out[-1].words.append(w)
    return out


def split_by_rules(phrases: list[Phrase], rules: Sequence[Rule]) -> list[Phrase]:
    """Split phrases where a vertical ruling line crosses them (a table or form border between words)."""
    verticals = [r for r in rules if not r.horizontal]
    if not verticals:
        return phrases
    out: list[Phrase] = []
    for ph in phrases:
        cur = [ph.words[0]]
        for prev, w in zip(ph.words, ph.words[1:]):
            mid_top, mid_bottom = min(prev.top, w.top), max(prev.bottom, w.bottom)
            crossed = any(prev.x1 - 0.5 <= r.x0 <= w.x0 + 0.5 and r.top <= mid_bottom and r.bottom >= mid_top
                          for r in verticals)
            if crossed:
                out.append(Phrase(cur))
                cur = [w]
            else:
                cur.append(w)
        out.append(Phrase(cur))
    return out


def text_of(words: Iterable[Word]) -> str:
    return " ".join(w.text for w in words)


def below(words: Sequence[Word], x0: float, x1: float, top: float, max_gap: float,
          page: int, limit: float | None = None) -> list[list[Word]]:
    """Lines directly below ``top`` whose words overlap the column [x0, x1], stopping at a vertical gap.

    ``max_gap`` is the largest blank allowed between consecutive lines; ``limit`` an optional bottom.
    """
    cands = [w for w in words if w.page == page and w.top >= top - 1 and _overlap(w.x0, w.x1, x0, x1) > 0
             and (limit is None or w.bottom <= limit)]
    out: list[list[Word]] = []
    last = top
    for ln in lines_of(cands):
        t = min(w.top for w in ln)
        if t - last > max_gap:
            break
        out.append(ln)
        last = max(w.bottom for w in ln)
    return out

"""Exact phrase matching over lists of tokens, without loading spaCy: the matches a spaCy ``PhraseMatcher``
(``attr="ORTH"``) over a ``Doc`` of the same tokens gives, in the same order.

Loading spaCy costs a second of start-up in every run; the labels and the document types only ever ask
which vocabulary phrases occur token for token in a line. The order of the matches is kept as spaCy gives
it, because the extractors keep the first of equal matches: by start, then by end, then, where one phrase is
a label of several keys ("date" for the invoice date and the issue date), in the order of spaCy's hash table
at that phrase's end (the keys' 64-bit MurmurHash2 in an open-addressing table of 8 cells, doubled when
three fifths full).
"""
from __future__ import annotations

from typing import Iterable, Sequence

_MASK = (1 << 64) - 1
_M = 0xC6A4A7935BD1E995


def murmur64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A of ``data``: the hash spaCy's string store gives a string (its UTF-8, seed 1)."""
    h = (seed ^ (len(data) * _M)) & _MASK
    n = len(data) // 8
    for i in range(n):
        k = int.from_bytes(data[8 * i:8 * i + 8], "little")
        k = (k * _M) & _MASK
        k ^= k >> 47
        k = (k * _M) & _MASK
        h ^= k
        h = (h * _M) & _MASK
    tail = data[8 * n:]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * _M) & _MASK
    h ^= h >> 47
    h = (h * _M) & _MASK
    h ^= h >> 47
    return h


def _table_order(keys: Sequence[str]) -> list[str]:
    """The keys in the order spaCy's table of a phrase's end holds them, given in the order they were added."""
    size, cells, filled = 8, [0] * 8, 0

    def put(h: int) -> bool:
        i = h & (size - 1)
        while cells[i] and cells[i] != h:
            i = (i + 1) & (size - 1)
        new = not cells[i]
        cells[i] = h
        return new

    by_hash = {}
    for key in keys:
        h = murmur64a(key.encode("utf-8"))
        by_hash[h] = key
        filled += put(h)
        if (filled + 1) * 5 >= size * 3:
            old, size, filled = cells, size * 2, 0
            cells = [0] * size
            for h_old in old:
                if h_old:
                    filled += put(h_old)
    return [by_hash[h] for h in cells if h]


class Phrases:
    """Phrases of tokens, each under a key; ``phrases(tokens)`` gives every (key, start, end) where a phrase
    occurs, overlapping ones included."""

    def __init__(self) -> None:
        self._keys: dict[tuple[str, ...], list[str]] = {}  # phrase -> its keys, in the order added
        self._by_first: dict[str, list[tuple[tuple[str, ...], list[str]]]] = {}
        self._ready = True

    def add(self, key: str, phrases: Iterable[Sequence[str]]) -> None:
        for phrase in phrases:
            phrase = tuple(phrase)
            if not phrase:
                continue
            keys = self._keys.setdefault(phrase, [])
            if key not in keys:
                keys.append(key)
                self._ready = False

    def _index(self) -> None:
        self._by_first = {}
        for phrase, keys in self._keys.items():
            self._by_first.setdefault(phrase[0], []).append((phrase, _table_order(keys)))
        for entries in self._by_first.values():
            entries.sort(key=lambda e: len(e[0]))  # shorter phrases end first
        self._ready = True

    def __call__(self, tokens: Sequence[str]) -> list[tuple[str, int, int]]:
        if not self._ready:
            self._index()
        out: list[tuple[str, int, int]] = []
        n = len(tokens)
        for s, tok in enumerate(tokens):
            for phrase, keys in self._by_first.get(tok, ()):
                e = s + len(phrase)
                if e <= n and (len(phrase) == 1 or tuple(tokens[s:e]) == phrase):
                    out.extend((key, s, e) for key in keys)
        return out

    def __len__(self) -> int:
        return len(self._keys)

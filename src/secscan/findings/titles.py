"""Finding titles: the first sentence of a scanner's message, whole or cut at a word with an ellipsis."""

from __future__ import annotations

import re

ELLIPSIS = "…"
# Abbreviations whose period does not end a sentence ("e.g. latest", "i.e. the tag").
_ABBREVIATIONS = frozenset({"e.g", "i.e", "etc", "vs", "cf", "approx", "incl", "resp", "no", "fig", "mr", "dr"})
_SENTENCE_END = re.compile(r"[.!?](?=\s)")


def first_sentence(text: str) -> str:
    """Up to the first full stop that ends a sentence: not one inside brackets or quotes,
    not the period of an abbreviation or a version number."""
    line = text.strip().split("\n", 1)[0].strip()
    depth = 0
    for index, char in enumerate(line):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and _SENTENCE_END.match(line, index):
            word = re.findall(r"[\w.]+$", line[:index])
            if word and word[-1].lower().rstrip(".") in _ABBREVIATIONS:
                continue
            return line[:index].strip()
    return line.rstrip(".").strip()


def _balanced_prefix(text: str) -> str:
    """`text` without an opening bracket it never closes (and what follows it)."""
    opened: list[int] = []
    for index, char in enumerate(text):
        if char in "([{":
            opened.append(index)
        elif char in ")]}" and opened:
            opened.pop()
    return text[: opened[0]].rstrip(" ,;:-") if opened else text


def shorten(text: str, limit: int = 160) -> str:
    """`text` whole when it fits; else cut at a word, never inside a bracket, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    cut = _balanced_prefix(cut).rstrip(" ,;:-.") or text[: limit - 1]
    return cut + ELLIPSIS


def title_from_message(message: str, fallback: str, limit: int = 160) -> str:
    """A finding title from a scanner message: its first sentence, shortened as `shorten` does."""
    sentence = first_sentence(message)
    return shorten(sentence, limit) if sentence else fallback

"""An output format: a file name and a pure function of the report."""

from __future__ import annotations

from typing import Protocol

from secscan.report import Report


class OutputFormat(Protocol):
    filename: str

    def render(self, report: Report) -> str:
        """The file's whole content. Pure: the same report gives the same bytes."""
        ...

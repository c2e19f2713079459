"""LSP positions: a 0-based line and a column counted in the code units of the negotiated
encoding (UTF-16 unless the client offered another), from the pipeline's 1-based line and
character column. Line breaks are those of LSP and of ``SourceText``: ``\\r\\n``, ``\\r``, ``\\n``."""

from __future__ import annotations

from typing import Tuple

from codemod.ftypes import SourceText

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def code_units(text: str, encoding: str) -> int:
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class Positions:
    def __init__(self, source: SourceText, encoding: str = UTF16):
        self.source = source
        self.encoding = encoding

    def at(self, line: int, column: int) -> Tuple[int, int]:
        """The LSP (line, character) of a 1-based line and 1-based character column."""
        if line > self.source.line_count:  # past the end: the end of the last line
            line = self.source.line_count
            column = len(self.source.line_text(line)) + 1
        text = self.source.line_text(line)
        before = column - 1
        # a column past the line's text is on its line break (one code unit per character)
        extra = max(0, before - len(text))
        return line - 1, code_units(text[:before], self.encoding) + extra

    def of_offset(self, offset: int) -> Tuple[int, int]:
        return self.at(*self.source.position(offset))

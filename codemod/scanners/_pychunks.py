"""A large Python module scanned in chunks, so that memory stays bounded: LibCST's tree of a
3 MB module takes about a gigabyte, and no pruning helps when most of its statements hold ids.

The statements a scan needs (``_pyprune.kept_groups``) are split into chunks of about
``CHUNK`` characters. Statements that share a top-level name (a constant and the function that
sends it, a function and its caller) are never split apart, so what the scan follows from one
to the other is the same as in the whole module; a name read by many statements (a client, a
shared constant) is not a link: its definition is scanned with every chunk that reads it, and
its findings, met more than once, are merged. Every chunk also keeps the header and imports.
Each chunk is a pruned text of the whole file's length and lines, so offsets are the file's."""

from __future__ import annotations

import re
from typing import Dict, List, Sequence, Set, Tuple

from codemod.ftypes import Finding, SourceText

LARGE_FILE = 384 * 1024  # characters: a module this long is scanned in chunks
CHUNK = 128 * 1024  # characters of needed statements in one chunk
HUB_USERS = 16  # a name read by more statements than this is scanned with each, not a link

_DEFINED = re.compile(r"(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)|([A-Za-z_]\w*)[ \t]*(?::[^=\r\n]*)?=(?!=)")
_NAME = re.compile(r"[A-Za-z_]\w*")


def chunks(source: SourceText, groups: Sequence, needed: Set[int]) -> List[Set[int]]:
    """The indexes of ``needed`` groups, in chunks to scan one at a time (one chunk: no need)."""
    texts = {index: _text_of(source, groups[index]) for index in needed}
    definer: Dict[str, int] = {}
    for index in sorted(needed):
        match = _DEFINED.match(texts[index].lstrip())  # a class body's statements are indented
        if match is not None:
            definer.setdefault(match.group(1) or match.group(2), index)
    readers: Dict[int, Set[str]] = {index: set(_NAME.findall(text)) & definer.keys() for index, text in texts.items()}
    users: Dict[str, int] = {}
    for names in readers.values():
        for name in names:
            users[name] = users.get(name, 0) + 1
    hubs = {name for name, count in users.items() if count > HUB_USERS}
    parent = {index: index for index in needed}

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for index, names in readers.items():
        for name in names - hubs:
            other = definer[name]
            if other != index:
                parent[find(index)] = find(other)
    components: Dict[int, List[int]] = {}
    for index in sorted(needed):
        components.setdefault(find(index), []).append(index)
    packed: List[Set[int]] = []
    size = 0
    for members in sorted(components.values(), key=lambda m: m[0]):
        length = sum(len(texts[i]) for i in members)
        if not packed or size + length > CHUNK:
            packed.append(set())
            size = 0
        packed[-1].update(members)
        size += length
    for chunk in packed:  # the shared definitions each chunk reads
        read = set().union(*(readers[i] for i in chunk)) & hubs
        chunk.update(definer[name] for name in read)
    return packed


def _text_of(source: SourceText, group) -> str:
    start = source.line_start(group.first_line)
    end = source.line_start(group.last_line) + len(source.line_text(group.last_line))
    return source.text[start:end]


def merged(per_chunk: Sequence[List[Finding]]) -> List[Finding]:
    """The findings of all chunks, each once: a finding met in several chunks (a shared
    definition) keeps the edits each chunk gave it, and the message of one that has edits."""
    found: Dict[Tuple, Finding] = {}
    for findings in per_chunk:
        for finding in findings:
            key = (finding.rule, finding.line, finding.column, finding.end_line, finding.end_column)
            first = found.get(key)
            if first is None:
                found[key] = finding
                continue
            if len(finding.edits) > len(first.edits):
                first, finding = finding, first
                found[key] = first
            first.edits += tuple(edit for edit in finding.edits if edit not in first.edits)
            if not finding.pending_hint:
                first.pending_hint = ""
    return sorted(found.values(), key=lambda f: (f.line, f.column, f.rule))


def with_large_classes_split(source: SourceText, groups: Sequence) -> List:
    """``groups``, with each class longer than a chunk replaced by the line(s) that open it (kept in
    every chunk) and the statements of its body, so that its body can be chunked too."""
    from dataclasses import replace

    from codemod.scanners._pylines import body_statements

    out: List = []
    for group in groups:
        opening = source.line_text(group.first_line)
        if group.indent or not _CLASS.match(opening) or len(_text_of(source, group)) <= CHUNK:
            out.append(group)
            continue
        body = body_statements(source.text, group.first_line, group.last_line)
        if not body or body[0].first_line <= group.first_line:
            out.append(group)
            continue
        indent = _indent_of(source.line_text(body[0].first_line))
        out.append(replace(group, last_line=body[0].first_line - 1, always=True))
        out += [replace(group, first_line=s.first_line, last_line=s.last_line, is_import=False, has_import=False,
                        may_be_docstring=False, indent=indent) for s in body]
    return out


_CLASS = re.compile(r"(?:@|class[ \t])")


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]

"""The YAML scanner. PyYAML's scanner and parser (the C ones when libyaml is there) only locate
things: each scalar's exact span, style and key path, and the comments between tokens. Fixes
are edits of the original text, so formatting, comments and line endings never change.

What a retired id becomes depends on the file:

* docker compose (a top-level ``services`` mapping): under ``services.*.environment``, in map
  form (``KEY: id``) or list form (``- KEY=id``, only the part after ``=``), it becomes
  ``${DEEPSEEK_CHAT_MODEL:-deepseek-v4-flash}``;
* GitHub Actions workflows (``.github/workflows/*``, or top-level ``on`` + ``jobs``):
  ``${{ vars.DEEPSEEK_CHAT_MODEL || 'deepseek-v4-flash' }}``; under ``on:`` (trigger inputs,
  whose default must stay among their options) a DS002 review with the V4 id as unsafe fix.
  An action's ``action.yml`` gets the plain V4 id: the runner rejects the ``vars`` context in
  action metadata ("Unrecognized named-value: 'vars'", actions/runner#2551);
* LiteLLM proxy config (a top-level ``model_list``): ``model_list[].litellm_params.model`` gets
  the V4 id with its ``deepseek/`` prefix; everything else there names a client-facing alias
  (``model_name``, fallbacks), so it is a DS002 review without a fix;
* anything else: the V4 id.

The default of an already parameterized value (``${VAR:-id}``, ``${{ … || 'id' }}``) gets the
V4 id. An id next to a base URL of another host (``base_url: http://localhost:11434/v1``) names
that server's model and is not reported.

A key is a DS002 review (renaming it could collide with another key); an item of a list
(``allowed_models``, a matrix, choice options) is a DS002 review with the V4 id as an unsafe fix,
since two retired ids would become one; argv lists (``command``, ``args``, ``entrypoint``) are
values. Anchored values are judged by every place an alias or merge key (``<<``) puts them,
one alias level deep. VCR cassettes and lock files are reported as DS006 and never fixed.
Templated YAML (Helm ``{{ }}`` outside strings, Jinja ``{% %}``) raises ScanError.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple, Union

import yaml as yamllib

from codemod.catalog import IdMatch
from codemod.ftypes import Edit, Finding, ScanContext, ScanError, SourceText
from codemod.scanners import _common as common
from codemod.scanners._common import Decision

Loader = getattr(yamllib, "CSafeLoader", yamllib.SafeLoader)

KeyPath = Tuple[Union[str, int], ...]
KEY, VALUE, ITEM = "key", "value", "item"
ANY = object()  # a wildcard in a path pattern
COMPLEX_KEY = "<complex key>"
MERGE_KEY = "<<"

# Document kinds.
GENERIC, COMPOSE, WORKFLOW, LITELLM, CASSETTE = "generic", "compose", "workflow", "litellm", "cassette"

LINE_COMMENTS = True  # `#` starts a comment to the end of the line: a suppression comment can be removed

ARGV_KEYS = frozenset({"command", "args", "entrypoint", "cmd", "arguments"})
REGISTRY_KEYS = frozenset({"name", "id", "model_name"})  # what the entries of a list are looked up by
COMPOSE_ENVIRONMENT = ("services", ANY, "environment", ANY)
LITELLM_MODEL = ("model_list", ANY, "litellm_params", "model")
LITELLM_ALIAS = ("model_list", ANY, "model_name")
WORKFLOW_PATH = re.compile(r"(?:^|/)\.github/workflows/[^/]+\.ya?ml$")
# A Helm/Jinja expression inside a string (GitHub's `${{ }}` is not one).
TEMPLATE_IN_STRING = re.compile(r"(?<!\$)\{\{|\{%")


@dataclass
class Scalar:
    start: int  # the token's span in the text, quotes included
    end: int
    value: str
    style: Optional[str]  # None (plain), "'", '"', "|" or ">"
    role: str  # KEY, VALUE or ITEM
    path: KeyPath  # a key's path ends with the key itself
    flow: bool  # inside a flow collection: `[a, b]`, `{k: v}`
    anchors: Tuple[int, ...]  # anchored nodes that enclose it (itself included)
    doc: int


@dataclass
class Document:
    top_keys: Dict[str, str] = field(default_factory=dict)  # top-level key -> kind of its value
    key_paths: Set[KeyPath] = field(default_factory=set)  # key paths up to three deep
    values: Dict[KeyPath, str] = field(default_factory=dict)  # mapping values that are scalars
    anchor_paths: Dict[int, KeyPath] = field(default_factory=dict)
    anchor_uses: Dict[int, List[KeyPath]] = field(default_factory=dict)
    keys: Set[KeyPath] = field(default_factory=set)  # the path of every key, at any depth


@dataclass
class Parsed:
    scalars: List[Scalar]  # in text order
    documents: List[Document]
    other_tokens: List[Tuple[int, int]]  # anchors, aliases, tags, directives
    template_at: Optional[int]  # offset of a `{{` that YAML read as nested flow mappings


@dataclass
class _Frame:
    kind: str  # "mapping" or "sequence"
    path: KeyPath
    flow: bool
    anchor: Optional[int]
    key: str = ""
    expecting_key: bool = True
    index: int = 0


# -- parsing --------------------------------------------------------------------------------------


def parse(text: str) -> Parsed:
    """Scalars with spans and key paths. Raises ScanError when the text is not YAML."""
    bom = 1 if text.startswith("\ufeff") else 0
    body = text[bom:]
    try:
        tokens = list(yamllib.scan(body, Loader=Loader))
        events = list(yamllib.parse(body, Loader=Loader))
    except yamllib.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ScanError(f"YAML error{where}: {exc.problem or exc.context}") from None
    except (yamllib.YAMLError, RecursionError) as exc:
        raise ScanError(f"YAML error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    scalar_starts: Dict[int, int] = {}
    other_tokens: List[Tuple[int, int]] = []
    template_at = None
    for token in tokens:
        start, end = token.start_mark.index + bom, token.end_mark.index + bom
        if isinstance(token, yamllib.ScalarToken):
            scalar_starts[end] = start
        elif isinstance(token, (yamllib.AnchorToken, yamllib.AliasToken, yamllib.TagToken, yamllib.DirectiveToken)):
            other_tokens.append((start, end))
        elif isinstance(token, yamllib.FlowMappingStartToken) and text.startswith("{{", start) and template_at is None:
            template_at = start
    walker = _Walker(scalar_starts, bom)
    for event in events:
        walker.feed(event)
    return Parsed(walker.scalars, walker.documents, other_tokens, template_at)


class _Walker:
    """Follows the event stream and records where each scalar stands."""

    def __init__(self, scalar_starts: Dict[int, int], bom: int):
        self.scalar_starts = scalar_starts
        self.bom = bom
        self.scalars: List[Scalar] = []
        self.documents: List[Document] = []
        self.stack: List[_Frame] = []
        self.anchor_ids: Dict[str, int] = {}
        self.next_anchor = 0

    @property
    def doc(self) -> Document:
        return self.documents[-1]

    def feed(self, event: yamllib.Event) -> None:
        if isinstance(event, yamllib.DocumentStartEvent):
            self.documents.append(Document())
            self.stack = []
            self.anchor_ids = {}
        elif isinstance(event, yamllib.ScalarEvent):
            self.scalar(event)
        elif isinstance(event, (yamllib.MappingStartEvent, yamllib.SequenceStartEvent)):
            kind = "mapping" if isinstance(event, yamllib.MappingStartEvent) else "sequence"
            _, path = self.place(kind)
            flow = bool(event.flow_style) or bool(self.stack and self.stack[-1].flow)
            self.stack.append(_Frame(kind, path, flow, self.define_anchor(event.anchor, path)))
        elif isinstance(event, (yamllib.MappingEndEvent, yamllib.SequenceEndEvent)):
            self.stack.pop()
        elif isinstance(event, yamllib.AliasEvent):
            self.alias(event)

    def place(self, kind: str, key: Optional[str] = None) -> Tuple[str, KeyPath]:
        """The role and path of the next node in the current collection."""
        if not self.stack:
            return VALUE, ()
        parent = self.stack[-1]
        if parent.kind == "sequence":
            parent.index += 1
            return ITEM, parent.path + (parent.index - 1,)
        if parent.expecting_key:
            parent.expecting_key = False
            parent.key = key if key is not None else COMPLEX_KEY
            path = parent.path + (parent.key,)
            if len(path) <= 3:
                self.doc.key_paths.add(path)
            return KEY, path
        parent.expecting_key = True
        if len(self.stack) == 1:
            self.doc.top_keys[parent.key] = kind
        return VALUE, parent.path + (parent.key,)

    def define_anchor(self, name: Optional[str], path: KeyPath) -> Optional[int]:
        if not name:
            return None
        anchor = self.next_anchor
        self.next_anchor += 1
        self.anchor_ids[name] = anchor
        self.doc.anchor_paths[anchor] = path
        return anchor

    def scalar(self, event: yamllib.ScalarEvent) -> None:
        role, path = self.place("scalar", event.value)
        own = self.define_anchor(event.anchor, path)
        if role == VALUE:
            self.doc.values[path] = event.value
        elif role == KEY:
            self.doc.keys.add(path)
        end = event.end_mark.index + self.bom
        anchors = tuple(f.anchor for f in self.stack if f.anchor is not None) + ((own,) if own is not None else ())
        self.scalars.append(
            Scalar(
                start=self.scalar_starts.get(end, event.start_mark.index + self.bom),
                end=end,
                value=event.value,
                style=event.style or None,
                role=role,
                path=path,
                flow=bool(self.stack and self.stack[-1].flow),
                anchors=anchors,
                doc=len(self.documents) - 1,
            )
        )

    def alias(self, event: yamllib.AliasEvent) -> None:
        role, path = self.place("alias", "<alias>")
        anchor = self.anchor_ids.get(event.anchor)
        if anchor is None:
            return
        # `<<: *a` and `<<: [*a, *b]` put the anchored mapping's keys into the parent mapping.
        if role == VALUE and path[-1] == MERGE_KEY:
            path = path[:-1]
        elif role == ITEM and len(path) >= 2 and path[-2] == MERGE_KEY:
            path = path[:-2]
        self.doc.anchor_uses.setdefault(anchor, []).append(path)


def effective_paths(scalar: Scalar, doc: Document) -> List[KeyPath]:
    """Where the scalar stands: its own path and every place an alias puts it."""
    paths = [scalar.path]
    for anchor in scalar.anchors:
        relative = scalar.path[len(doc.anchor_paths[anchor]) :]
        paths.extend(use + relative for use in doc.anchor_uses.get(anchor, ()))
    return paths


def matches(path: KeyPath, pattern: Sequence[object]) -> bool:
    return len(path) == len(pattern) and all(p is ANY or p == part for p, part in zip(pattern, path))


def verify(text: str, original: Optional[str] = None) -> None:
    parse(text)


# -- what kind of file ----------------------------------------------------------------------------


def document_kind(doc: Document, path: str) -> str:
    keys = doc.top_keys
    if keys.get("interactions") == "sequence" and any(
        len(p) == 3 and p[0] == "interactions" and p[2] == "request" for p in doc.key_paths
    ):
        return CASSETTE
    if keys.get("services") == "mapping":
        return COMPOSE
    if keys.get("model_list") == "sequence":
        return LITELLM
    if is_workflow_path(path) or ("jobs" in keys and "on" in keys):
        return WORKFLOW
    return GENERIC


def is_workflow_path(path: str) -> bool:
    return bool(WORKFLOW_PATH.search(path.replace("\\", "/")))


# -- scanning -------------------------------------------------------------------------------------


def scan(source: SourceText, ctx: ScanContext) -> List[Finding]:
    text = source.text
    if common.is_lock_file(ctx.path):
        return common.text_findings(source, ctx, 0, len(text), common.LOCK_FILE)
    found = common.occurrences(text, ctx)
    if not found:
        return []
    try:
        parsed = parse(text)
    except ScanError as exc:
        if TEMPLATE_IN_STRING.search(text):
            raise ScanError(f"templated YAML (Helm/Jinja), {exc}") from None
        raise
    if parsed.template_at is not None:
        line, column = source.position(parsed.template_at)
        raise ScanError(f"templated YAML (Helm/Jinja `{{{{` at line {line}, column {column})")
    kinds = [document_kind(doc, ctx.path) for doc in parsed.documents]
    findings: List[Finding] = []
    for scalar, group in _group_by_scalar(parsed.scalars, found):
        if scalar is None:
            findings += _outside_scalars(source, ctx, group, parsed.other_tokens)
        else:
            findings += ScalarScan(source, ctx, scalar, parsed.documents[scalar.doc], kinds[scalar.doc]).run(group)
    return findings


def _group_by_scalar(
    scalars: Sequence[Scalar], occurrences: Iterable[IdMatch]
) -> List[Tuple[Optional[Scalar], List[IdMatch]]]:
    """Occurrences grouped by the scalar token holding them (None: outside every scalar)."""
    scalars = sorted((s for s in scalars if s.end > s.start), key=lambda s: s.start)  # nulls hold nothing
    starts = [s.start for s in scalars]
    groups: List[Tuple[Optional[Scalar], List[IdMatch]]] = []
    for match in occurrences:
        i = bisect.bisect_right(starts, match.start) - 1
        holder = scalars[i] if i >= 0 and match.end <= scalars[i].end else None
        if groups and groups[-1][0] is holder and holder is not None:
            groups[-1][1].append(match)
        else:
            groups.append((holder, [match]))
    return groups


def _outside_scalars(
    source: SourceText, ctx: ScanContext, found: List[IdMatch], other_tokens: List[Tuple[int, int]]
) -> List[Finding]:
    findings = []
    for match in found:
        in_token = any(start <= match.start < end for start, end in other_tokens)
        where = "in a YAML anchor or tag" if in_token else "in a YAML comment"
        findings.append(common.id_finding(source, ctx, match, common.mention(where)))
    return findings


class ScalarScan:
    """The findings for the retired ids inside one scalar."""

    def __init__(self, source: SourceText, ctx: ScanContext, scalar: Scalar, doc: Document, kind: str):
        self.source = source
        self.ctx = ctx
        self.scalar = scalar
        self.doc = doc
        self.kind = kind
        self.paths = effective_paths(scalar, doc)
        self.claimed: Set[int] = set()  # starts of the occurrences that value findings report

    def run(self, found: List[IdMatch]) -> List[Finding]:
        if self.kind == CASSETTE:
            return [common.id_finding(self.source, self.ctx, m, common.CASSETTE) for m in found]
        if self.served_elsewhere():
            return []
        findings = self.value_findings()
        mention = self.mention_decision()
        findings += [common.id_finding(self.source, self.ctx, m, mention) for m in found if m.start not in self.claimed]
        return findings

    def mention_decision(self) -> Decision:
        if self.kind != WORKFLOW and TEMPLATE_IN_STRING.search(self.scalar.value):
            return common.unparsed("inside a template expression; not fixed")
        return common.mention("inside a longer YAML string")

    def value_findings(self) -> List[Finding]:
        """Findings where the id (or part of the scalar) is a value of its own."""
        value = self.scalar.value
        whole = self.ctx.catalog.exact(value)
        if whole is not None:
            return [self.part_finding(whole, self.decide())]
        assigned = self.assignment_entry_value()
        if assigned is not None:
            return [self.part_finding(*assigned)]
        default_value = common.value_decision(where="as the default of a variable")
        found = [self.part_finding(default, default_value) for default in common.parameter_defaults(value, self.ctx)]
        # a command's model argument is never also a default (`--model ${X:-id}` is no id)
        return found + [self.part_finding(argument, self.command_decision())
                        for argument in common.command_model_arguments(value, self.ctx)]

    def command_decision(self) -> "common.Decision":
        """A command's model argument: in a workflow's `run:` as the Actions expression."""
        decision = common.COMMAND
        return common.Decision(decision.rule, decision.fix, common.ACTIONS if self.kind == WORKFLOW else common.LITERAL,
                               decision.where)

    def served_elsewhere(self) -> bool:
        """An id value next to a base URL of another host (`base_url: http://localhost:11434/v1`)
        names that server's model, not DeepSeek's."""
        scalar = self.scalar
        match = self.ctx.catalog.exact(scalar.value) if scalar.role == VALUE else None
        if match is None:
            return False
        return common.routes_elsewhere(self.ctx, lambda key: self.doc.values.get(scalar.path[:-1] + (key,)), match.model.provider)

    def assignment_entry_value(self) -> Optional[Tuple[IdMatch, Decision]]:
        """The id after `=` in a list entry that assigns it: a compose `environment:` entry
        (`- KEY=id`) or an argv flag (`- --model=id`)."""
        scalar = self.scalar
        if scalar.role != ITEM or "=" not in scalar.value:
            return None
        if self.kind == COMPOSE and any(matches(p, COMPOSE_ENVIRONMENT) for p in self.paths):
            decision = common.value_decision(common.COMPOSE_ENV, "in a docker compose environment")
        elif self.is_argv_item():
            decision = common.value_decision(*self.value_context())
        else:
            return None
        name_length = scalar.value.index("=") + 1
        match = self.ctx.catalog.exact(scalar.value[name_length:])
        return None if match is None else (common.shifted(match, name_length), decision)

    def is_argv_item(self) -> bool:
        path = self.scalar.path
        return self.scalar.role == ITEM and len(path) >= 2 and path[-2] in ARGV_KEYS

    def decide(self) -> Decision:
        """What an id that is the whole scalar means here."""
        scalar = self.scalar
        if scalar.role == KEY:
            return common.review_decision("as a YAML mapping key", fixable=False)
        if self.kind == LITELLM:
            if any(matches(p, LITELLM_MODEL) for p in self.paths):
                return common.value_decision(where="in a LiteLLM model_list entry")
            if any(matches(p, LITELLM_ALIAS) for p in self.paths):
                return common.review_decision("as a LiteLLM model_name alias that clients call", fixable=False)
            return common.review_decision("in a LiteLLM config, where it names a model_name alias", fixable=False)
        if self.kind == WORKFLOW and all(p and p[0] == "on" for p in self.paths):
            # A trigger input's default must stay among its options, and callers pass it too.
            return common.review_decision("in a workflow trigger input", fixable=True)
        if scalar.role == ITEM and not self.is_argv_item():
            return common.review_decision("in a list of model ids (a rewrite can merge two entries)", fixable=True)
        registry = self.registry_siblings()
        if registry is not None:
            match = self.ctx.catalog.exact(scalar.value)
            successor = match.replacement if match is not None else None
            mapped = [self.ctx.catalog.exact(v).replacement if self.ctx.catalog.exact(v) else v for v in registry]
            duplicate = successor in mapped  # there already, or another legacy entry becomes it too
            where = f"as the `{scalar.path[-1]}:` key of a registry entry (its settings apply to that name)"
            if duplicate:
                return common.review_decision(where + f"; `{successor}` would name two entries", fixable=False)
            return common.review_decision(where, fixable=True)
        return common.value_decision(*self.value_context())

    def registry_siblings(self) -> Optional[List[str]]:
        """The values of the same key in the other mappings of a list, when this scalar is the
        ``name:`` (or ``id:``) of one of several such entries: a registry keyed by name, such as
        a model-settings list. None otherwise."""
        path = self.scalar.path
        if self.scalar.role != VALUE or len(path) < 2 or path[-1] not in REGISTRY_KEYS or not isinstance(path[-2], int):
            return None
        parent, key = path[:-2], path[-1]
        siblings = [value for other, value in self.doc.values.items()
                    if len(other) == len(path) and other[:-2] == parent and other[-1] == key and other != path]
        return siblings or None

    def value_context(self) -> Tuple[str, str]:
        if self.kind == COMPOSE and any(matches(p, COMPOSE_ENVIRONMENT) for p in self.paths):
            return common.COMPOSE_ENV, "in a docker compose environment"
        if self.kind == WORKFLOW:
            return common.ACTIONS, "in a GitHub Actions workflow"
        return common.LITERAL, "in a YAML value"

    def part_finding(self, match: IdMatch, decision: Decision) -> Finding:
        """A finding for ``value[match.start:match.end]``, with its edit when it has a fix."""
        text, scalar = self.source.text, self.scalar
        piece = common.replacement_text(match, decision.context)
        edit = scalar_edit(text, scalar, match.start, match.end, piece) if decision.fix else None
        start = (raw_span(text, scalar, match.start, match.end) or (scalar.start, scalar.end))[0]
        located = common.shifted(match, start - match.start)
        self.claimed.add(located.start)
        edits = (edit,) if edit else ()
        hint = ""
        if edit and self.kind == LITELLM and any(matches(p, LITELLM_MODEL) for p in self.paths) and match.model.thinking:
            thinking = self.litellm_thinking(match.model.thinking)
            if thinking is None:
                hint = f"V4 thinks by default: add `thinking: {{type: {match.model.thinking}}}` to its litellm_params"
            else:
                edits += thinking
        return common.id_finding(self.source, self.ctx, located, decision, edits=edits, replacement=piece, hint=hint)

    def litellm_thinking(self, mode: str) -> Optional[Tuple[Edit, ...]]:
        """The line ``thinking: {type: disabled}`` after ``model:`` in the entry's
        litellm_params, which LiteLLM passes on to DeepSeek as the request's thinking mode; ()
        when the entry sets one already; None when the mapping is not in block style."""
        params = self.scalar.path[:-1]
        if any(params + (key,) in self.doc.keys for key in ("thinking", "extra_body", "reasoning_effort")):
            return ()
        if self.scalar.flow or self.scalar.style in ("|", ">"):
            return None
        source = self.source
        line = source.position(self.scalar.start)[0]
        if source.position(self.scalar.end)[0] != line or line >= source.line_count:
            return None
        text = source.line_text(line)
        key_column = len(text) - len(text.lstrip(" "))
        stripped = text.lstrip(" ")
        if stripped.startswith("- "):  # `- model: ...` (litellm_params itself is a list item's mapping)
            key_column += 2
        if not text[key_column:].startswith("model"):
            return None
        offset = source.line_start(line + 1)
        return (Edit(offset, offset, f"{' ' * key_column}thinking: {{type: {mode}}}{source.newline()}"),)


# -- edits ----------------------------------------------------------------------------------------


def raw_span(text: str, scalar: Scalar, start: int, end: int) -> Optional[Tuple[int, int]]:
    """Where ``scalar.value[start:end]`` stands in the text: directly when the scalar spells its
    value literally; else where that part occurs once in the raw text (escapes, `''`, a block
    scalar's indentation elsewhere); else None."""
    inner_start, inner_end = scalar.start, scalar.end
    if scalar.style in ("'", '"'):
        inner_start, inner_end = inner_start + 1, inner_end - 1
    raw = text[inner_start:inner_end]
    if scalar.style not in ("|", ">") and raw == scalar.value:
        return inner_start + start, inner_start + end
    part = scalar.value[start:end]
    if "\n" in part or raw.count(part) != 1:
        return None
    offset = raw.index(part)
    return inner_start + offset, inner_start + offset + len(part)


def scalar_edit(text: str, scalar: Scalar, start: int, end: int, piece: str) -> Optional[Edit]:
    """The edit that makes ``scalar.value[start:end]`` read ``piece``, in the scalar's style;
    a plain scalar that cannot hold the new text becomes single-quoted."""
    new_value = scalar.value[:start] + piece + scalar.value[end:]
    span = raw_span(text, scalar, start, end)
    if not piece.isprintable():  # only a double-quoted scalar spells a line break or a control char
        return None if scalar.style in ("|", ">") else Edit(scalar.start, scalar.end, quote(new_value, '"'))
    if scalar.style in ("'", '"'):
        if span is not None:
            return Edit(span[0], span[1], escape(piece, scalar.style))
        return Edit(scalar.start, scalar.end, quote(new_value, scalar.style))
    if scalar.style in ("|", ">"):
        return Edit(span[0], span[1], piece) if span is not None and "\n" not in piece else None
    if span is not None:
        new_raw = text[scalar.start : span[0]] + piece + text[span[1] : scalar.end]
        if plain_reads_as(new_raw, new_value, scalar.flow):
            return Edit(span[0], span[1], piece)
    return Edit(scalar.start, scalar.end, quote(new_value, "'"))


def escape(value: str, style: str) -> str:
    if style == "'":
        return value.replace("'", "''")
    return "".join(_double_quoted_char(c) for c in value)


_YAML_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _double_quoted_char(char: str) -> str:
    if char in _YAML_ESCAPES:
        return _YAML_ESCAPES[char]
    if char.isprintable():
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def quote(value: str, style: str) -> str:
    return f"{style}{escape(value, style)}{style}"


@lru_cache(maxsize=256)  # a file repeats the same few replacements
def plain_reads_as(raw: str, value: str, flow: bool) -> bool:
    """Whether ``raw`` written as a plain scalar reads back as ``value`` in that context."""
    probe = f"[{raw}]" if flow else f"- {raw}"
    try:
        return yamllib.load(probe, Loader=Loader) == [value]
    except yamllib.YAMLError:
        return False

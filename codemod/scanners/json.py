"""The JSON scanner. The stdlib validates; ``_jsontree`` gives each string token's span, and a fix
replaces only the id inside its token, so indentation, key order and escapes stay as written.

* A string value that is exactly a retired id under a model-like key (``model``, ``model_name``,
  ``model_id``, ``llm_model``, ``default_model`` from the catalog, also camelCase and any
  ``*_model``) is DS001 with the V4 id as safe fix: ``config-template.json``, AutoGen's
  ``OAI_CONFIG_LIST``. An entry whose base URL points to a host other than DeepSeek's API (a
  local server, a gateway) is not reported.
* The same value under another key, or as a list item, is a DS002 review with an unsafe fix;
  an id as a key is a DS002 review without a fix (renaming could collide with another key).
* The default of ``${VAR:-id}`` inside a string is DS001; an id inside a longer string DS003.
* VCR cassettes saved as JSON and lock files are DS006, never fixed. Invalid JSON (JSONC with
  comments included) raises ScanError.
"""

from __future__ import annotations

import bisect
import re
from typing import Iterator, List, Optional, Tuple

from codemod.catalog import IdMatch
from codemod.ftypes import Edit, Finding, ScanContext, SourceText
from codemod.scanners import _common as common
from codemod.scanners import _jsontree
from codemod.scanners._common import Decision
from codemod.scanners._jsontree import ARRAY, OBJECT, STRING, JsonNode

_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def scan(source: SourceText, ctx: ScanContext) -> List[Finding]:
    text = source.text
    if common.is_lock_file(ctx.path):
        return common.text_findings(source, ctx, 0, len(text), common.LOCK_FILE)
    starts = [m.start for m in common.occurrences(text, ctx)]
    if not starts:
        return []
    data = _jsontree.load(text)
    if common.is_cassette(data):
        return common.text_findings(source, ctx, 0, len(text), common.CASSETTE)
    findings: List[Finding] = []
    for node, key, parent in walk(_jsontree.parse(text)):
        i = bisect.bisect_left(starts, node.start)
        if i < len(starts) and starts[i] < node.end:  # only tokens that hold an id
            findings += StringScan(source, ctx, node, key, parent).run()
    return findings


def verify(text: str, original: Optional[str] = None) -> None:
    _jsontree.load(text)


def walk(root: JsonNode) -> Iterator[Tuple[JsonNode, Optional[str], Optional[JsonNode]]]:
    """Every string node with the key it stands under (None for a key itself or a list item)
    and the object or array that holds it."""
    pending: List[Tuple[JsonNode, Optional[str], Optional[JsonNode]]] = [(root, None, None)]
    while pending:
        node, key, parent = pending.pop()
        if node.kind == STRING:
            yield node, key, parent
        elif node.kind == OBJECT:
            for name, value in reversed(node.members):
                pending.append((value, name.value, node))
                pending.append((name, None, node))
        elif node.kind == ARRAY:
            pending.extend((item, None, node) for item in reversed(node.items))


def is_model_key(key: str, model_keys: List[str]) -> bool:
    """`model`, `modelName`, `chat_model`, `default-model`…"""
    name = _CAMEL_HUMP.sub("_", key).lower().replace("-", "_")
    return name in model_keys or name.endswith("_model")


class StringScan:
    """The findings for the retired ids in one string token."""

    def __init__(
        self, source: SourceText, ctx: ScanContext, node: JsonNode, key: Optional[str], parent: Optional[JsonNode]
    ):
        self.source = source
        self.ctx = ctx
        self.node = node
        self.key = key
        self.parent = parent

    @property
    def is_key(self) -> bool:
        return self.parent is not None and self.parent.kind == OBJECT and self.key is None

    def run(self) -> List[Finding]:
        value = self.node.value
        whole = self.ctx.catalog.exact(value)
        if whole is not None:
            decision = self.decide(whole.model.provider)
            return [] if decision is None else [self.finding(whole, decision)]
        findings, claimed = [], set()
        for default in common.parameter_defaults(value, self.ctx):
            findings.append(self.finding(default, common.value_decision(where="as the default of a variable")))
            claimed.add(default.start)
        mention = common.mention("inside a longer JSON string")
        for match in common.occurrences(value, self.ctx):
            if match.start not in claimed:
                findings.append(self.finding(match, mention))
        return findings

    def decide(self, provider: str) -> Optional[Decision]:
        """What an id that is the whole string means here; None: not DeepSeek's API."""
        if self.is_key:
            return common.review_decision("as a JSON key", fixable=False)
        if self.parent is None:
            return common.review_decision("as a whole JSON document", fixable=True)
        if self.key is None:
            return common.review_decision("in a JSON list (a rewrite can merge two entries)", fixable=True)
        if not is_model_key(self.key, self.ctx.catalog.python.get("model_dict_keys", [])):
            return common.review_decision(f'under JSON key "{self.key}", not known to hold a model id', fixable=True)
        if common.routes_elsewhere(self.ctx, self.sibling, provider):
            return None
        return common.value_decision(where=f'under JSON key "{self.key}"')

    def sibling(self, key: str) -> Optional[str]:
        node = self.parent.get(key) if self.parent is not None else None
        return node.value if node is not None and node.kind == STRING else None

    def finding(self, match: IdMatch, decision: Decision) -> Finding:
        """A finding for ``value[match.start:match.end]``, located in the token."""
        text = self.source.text
        start, end = self.node.raw_offset(text, match.start), self.node.raw_offset(text, match.end)
        located = IdMatch(start, end, match.model, match.prefix)
        edits: Tuple[Edit, ...] = ()
        if decision.fix:
            edits = (Edit(start, end, _jsontree.escape(match.replacement, ensure_ascii=True)),)
        return common.id_finding(self.source, self.ctx, located, decision, edits=edits)

"""The Python scanner: LibCST finds every string and comment, and where it stands decides the
rule and whether a fix is safe. Fixes are text edits on the original source."""

from __future__ import annotations

import ast
import bisect
import itertools
import re
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from codemod.catalog import PRIMARY_PROVIDER, AliasMatch, IdMatch, UrlInfo
from codemod.ftypes import BARE_UNSENT, SAFE, UNSAFE, V4_DEFAULT_THINKING, Edit, Finding, ParamDefault, ScanContext, ScanError, SourceText
from codemod.libraries import shape_for
from codemod.project import is_test_path
from codemod.pysource import LEAVES, OffsetPositions, Visitor, dotted_name, keyword_arg, node_span, parse_module, visit_tree
from codemod.scanners._literals import python_string
from codemod.scanners._pyflow import UNKNOWN, ModuleFlow, RequestPlan, migrated_model
from codemod.scanners import _pychunks
from codemod.scanners._pyprune import Group, blanked_except, groups_of_tree, kept_groups, module_groups, prune

LINE_COMMENTS = True  # `#` starts a comment to the end of the line: a suppression comment can be removed

VALUE_RULE = "DS001"
REVIEW_RULE = "DS002"
MENTION_RULE = "DS003"
DYNAMIC_RULE = "DS004"
THINKING_RULE = "DS007"
ALIAS_RULE = "DS008"
# mock methods that check a call's exact arguments, and the records of calls compared with call(...)
EXACT_EXPECTATIONS = frozenset({"assert_called_with", "assert_called_once_with", "assert_any_call"})
RECORDED_CALLS = frozenset({"call_args", "call_args_list", "mock_calls"})
BESIDE_WHERE = ("as a dict key", "in a membership test", "in a collection of model ids", "in a Literal[...]")
EXPIRED_URL_RULE = "DS101"
HARDCODED_URL_RULE = "DS102"

GETENV_CALLS = ("os.getenv", "getenv", "os.environ.get", "environ.get", "os.environ.setdefault", "environ.setdefault",
                "_os.environ.get", "_v4_migrate_os.environ.get")  # the last two: this tool's rewrite where `os` is taken
MAX_DYNAMIC_COMBINATIONS = 32
WILDCARD = None  # a part of a built string whose value is unknown


def scan(source: SourceText, ctx: ScanContext, cpython_tree: Optional[ast.Module] = None) -> List[Finding]:
    """``cpython_tree``: CPython's tree of the text, when the caller parsed it already (the check
    of a fix): its top-level statements are taken from it instead of the lexer."""
    if "\0" in source.text:  # CPython rejects any NUL byte, wherever it is: no fix can be run
        raise ScanError("it holds a NUL byte, which Python rejects")
    if "\x0c" in source.text:
        _reject_bad_indentation(source.text)
        return _scan_without_form_feeds(source, ctx)
    return _scan(source, ctx, groups_of_tree(cpython_tree) if cpython_tree is not None else None)


def _reject_bad_indentation(text: str) -> None:
    """A form feed resets CPython's indentation count: the stripped text the scan parses may
    indent where the file does not. A file CPython's tokenizer rejects is not fixed."""
    try:
        compile(text, "<file>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (IndentationError, TabError) as exc:  # (SyntaxError alone may be a newer grammar)
        raise ScanError(f"{type(exc).__name__} at line {exc.lineno}: {exc.msg}") from None
    except (SyntaxError, ValueError):
        pass


# A form feed in a line's indentation (an Emacs page break) is legal, but LibCST's code drops it,
# so its positions would not match the file. Scan without them, then shift edits and columns back.
_LEADING_FORM_FEEDS = re.compile(r"(?m)^[ \t]*\x0c[ \t\x0c]*")


def _scan_without_form_feeds(source: SourceText, ctx: ScanContext) -> List[Finding]:
    removed: List[int] = []  # offsets, in the original text, of the form feeds taken out
    for match in _LEADING_FORM_FEEDS.finditer(source.text):
        removed += [match.start() + i for i, char in enumerate(match.group()) if char == "\x0c"]
    kept = set(removed)
    stripped = SourceText("".join(char for i, char in enumerate(source.text) if i not in kept))
    # where each removed form feed sits in the stripped text
    removed_at = [offset - index for index, offset in enumerate(removed)]

    def original(offset: int, before_form_feed: bool = False) -> int:
        count = bisect.bisect_left if before_form_feed else bisect.bisect_right
        return offset + count(removed_at, offset)

    findings = _scan(stripped, ctx)
    for finding in findings:
        finding.edits = tuple(
            # an inserted line goes before a page break at its spot, not between it and its line
            Edit(original(e.start, e.start == e.end), original(e.end, e.start == e.end), e.replacement)
            for e in finding.edits
        )
        finding.column = original(stripped.offset(finding.line, finding.column - 1)) - source.line_start(finding.line) + 1
        end = original(stripped.offset(finding.end_line, finding.end_column - 1))
        finding.end_column = end - source.line_start(finding.end_line) + 1
    return findings


def _scan(source: SourceText, ctx: ScanContext, groups: Optional[List[Group]] = None) -> List[Finding]:
    reading = _fact_name_starts(source.text, ctx)  # statements that read another module's constants
    if ctx.facts is not None and not reading and not is_test_path(ctx.path):
        # (a test may check what an imported module sends without naming its constant)
        ctx = replace(ctx, facts=None)  # nothing here the facts know: the scan of the file alone
    groups = groups if groups is not None else module_groups(source.text)
    matches = _statement_matches(source.text, ctx.catalog)
    if ctx.config.reports_aliases:
        matches = sorted(matches + ctx.catalog.alias_starts(source.text))
    if groups is not None:
        context = _context_matches(source.text, ctx.catalog)
        if reading:
            context = sorted(context + reading)
        if len(source.text) > _pychunks.LARGE_FILE:
            found = _scan_in_chunks(source, ctx, groups, matches, context)
            if found is not None:
                return found
        text, lines = prune(source, groups, matches, context)
        if text == source.text:
            return _scan_module(source, ctx, parse(source.text), matches, statement_lines=lines)
        pruned = source.with_same_lines(text)
        try:
            module = parse(pruned.text)
            positions = OffsetPositions(module, pruned, lines)
        except (ScanError, ValueError):
            pass  # never a verdict on a pruned text that the whole file would not get
        else:
            return _scan_module(source, ctx, module, matches, positions)
    return _scan_module(source, ctx, parse(source.text), matches)


def _scan_in_chunks(source: SourceText, ctx: ScanContext, groups, matches: List[int], context: List[int]) -> Optional[List[Finding]]:
    """The findings of a large module, scanned a chunk of its statements at a time (``_pychunks``);
    None when it is one chunk anyway, or a chunk does not parse (the whole file then decides)."""
    groups = _pychunks.with_large_classes_split(source, groups)
    always, needed = kept_groups(source, groups, matches, context)
    parts = _pychunks.chunks(source, groups, needed)
    if len(parts) < 2:
        return None
    per_chunk = []
    for part in parts:
        pruned = source.with_same_lines(blanked_except(source, groups, always | part))
        try:
            module = parse(pruned.text)
            positions = OffsetPositions(module, pruned)
        except (ScanError, ValueError):
            return None
        per_chunk.append(_scan_module(source, ctx, module, matches, positions))
        del module, positions  # one chunk's tree at a time
    return _pychunks.merged(per_chunk)


def _scan_module(
    source: SourceText, ctx: ScanContext, module: cst.Module, matches: List[int], positions: Optional[OffsetPositions] = None,
    statement_lines: Optional[List[int]] = None,
) -> List[Finding]:
    """The findings of ``module``, the whole file or its pruned text (same offsets); ``matches``:
    where the statement patterns match in the file; ``statement_lines``: where the module's
    top-level statements start (for ``positions``, when none are given)."""
    statements: Optional[Set[cst.CSTNode]] = None  # None: visit every top-level statement
    try:
        if positions is None:
            positions = OffsetPositions(module, source, statement_lines)
        statements = positions.statements_at(matches)
    except ValueError:  # codegen disagrees with the text: take the slow, whole-module path
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    flow = None
    if ctx.facts is not None or is_test_path(ctx.path) or _may_hold_request(source.text):
        flow = ModuleFlow(module, source, ctx.catalog, lambda node: node_span(source, positions, node), ctx.facts)
    visitor = _Visitor(source, ctx, positions, _ImportOs(module, positions, source), statements, flow)
    visit_tree(module, visitor)
    if flow is not None and ctx.facts is not None:
        ctx.export_calls += flow.export_calls(ctx.path)
    visitor.group_unchecked_assertions()
    visitor.keep_branches_apart()
    if visitor.in_test_file and replays_recordings(source.text):
        _unsafe_until_rerecorded(visitor.findings)
    findings = visitor.findings + visitor.request_findings()
    if visitor.api_call_sites and ctx.config.retry_strategy != "off":
        from codemod import retry

        findings += retry.retry_findings(source, ctx, module, positions, visitor.api_call_sites, visitor.call_site_parents)
    return findings


def _statement_matches(text: str, catalog) -> List[int]:
    """Where statements worth visiting match, in order: those that may hold an id, and those
    that set a base URL (host context for the others)."""
    ids, keywords = _statement_patterns(catalog)
    starts = [match.start() for match in ids.finditer(text)]
    if keywords is not None:
        starts += _word_starts(keywords, text)
        starts.sort()
    return starts


def _context_matches(text: str, catalog) -> List[int]:
    """Where statements match that give a call site context without holding an id: clients
    built in the file (the retry fix may set ``max_retries`` on one), requests (a retired id
    may reach them from a constant), and this tool's own rewrites (they still say which
    thinking mode the old id had)."""
    return sorted(_word_starts(_context_pattern(), text) + _literal_starts(text, _context_literals(catalog)))


def _literal_starts(text: str, literals: Sequence[str]) -> List[int]:
    """Where each literal occurs: ``str.find`` per literal, many times faster than one regex
    alternation of them all, which `re` tries at every offset."""
    starts: List[int] = []
    for literal in literals:
        index = text.find(literal)
        while index >= 0:
            starts.append(index)
            index = text.find(literal, index + 1)
    return starts


def _word_starts(pattern: "re.Pattern[str]", text: str) -> List[int]:
    """Matches of ``pattern`` (names, then anything) that start a word: the ``\\b`` a pattern
    cannot start with, or `re` tries each alternative at every offset (three times slower).
    None is hidden by a rejected one: no match can start inside a name."""
    return [
        match.start() for match in pattern.finditer(text)
        if not match.start() or not _is_word_char(text[match.start() - 1])
    ]


def _is_word_char(char: str) -> bool:  # what `\w` matches
    return char.isalnum() or char == "_"


@lru_cache(maxsize=16)
def _statement_patterns(catalog) -> Tuple["re.Pattern[str]", Optional["re.Pattern[str]"]]:
    keywords = "|".join(re.escape(k) for k in catalog.python.get("base_url_keywords", ()))
    return catalog.text_prefilter_re, re.compile(rf"(?:{keywords})\s*=") if keywords else None


@lru_cache(maxsize=16)
def _dict_key_pattern(catalog) -> "re.Pattern[str]":
    """A retired id as a dict key: ``"deepseek-chat": 0.27`` (a pricing or settings table)."""
    ids = "|".join(re.escape(prefix + model) for model in catalog.retired for prefix in ("",) + catalog.count_prefixes)
    return re.compile(rf"""(["'])(?P<id>{ids})\1\s*:""")


def _fact_name_starts(text: str, ctx: ScanContext) -> List[int]:
    """Where the names the project's facts know (other modules' constants, their tables' modules,
    env variables) start a word of the text."""
    names = ctx.facts.names() if ctx.facts is not None else None
    return _word_starts(_names_pattern(names), text) if names else []


@lru_cache(maxsize=16)
def _names_pattern(names: FrozenSet[str]) -> "re.Pattern[str]":
    return re.compile(rf"(?:{'|'.join(sorted(map(re.escape, names)))})\b")


@lru_cache(maxsize=1)
def _context_pattern() -> "re.Pattern[str]":
    from codemod.retry import CLIENT_CLASSES

    return re.compile(rf"(?:{'|'.join(sorted(CLIENT_CLASSES))}|wrap)\b")


@lru_cache(maxsize=16)
def _context_literals(catalog) -> Tuple[str, ...]:
    """Requests (the libraries' calls), this tool's own rewrites (their variables), and a class
    or function of the project's own with a library's name (then it is not the library's)."""
    from codemod import libraries

    own = {call for shape in libraries.shapes() if shape.modules for call in shape.calls if "." not in call}
    return tuple(sorted({m.env_var for m in catalog.retired.values()} | set(_request_literals())
                        | {f"{keyword} {name}" for name in own for keyword in ("class", "def")}))


@lru_cache(maxsize=1)
def _request_literals() -> Tuple[str, ...]:
    from codemod import libraries

    return tuple(sorted({call if "." in call else call + "(" for shape in libraries.shapes() for call in shape.calls}))


def _may_hold_request(text: str) -> bool:
    """Whether a library's request call may be in the text (or a library's class imported under
    another name): without one, no model needs following."""
    from codemod import libraries

    return any(literal in text for literal in _request_literals()) or any(
        name in text for shape in libraries.shapes() if shape.modules for name in shape.calls if "." not in name)


_IMPORTED = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import\b([^\n#]*)|import[ \t]+([^\n#]+))", re.M)
# clients that reach an API at any base URL (the libraries of rules/libraries.toml add theirs)
_HTTP_CLIENT_MODULES = ("openai", "anthropic", "requests", "httpx", "aiohttp", "urllib", "urllib3", "http")
# cloud platforms: a module imports their SDKs for credentials and storage too
_PLATFORM_WORDS = ("azure", "bedrock", "vertex")


def gateway_only_module(text: str, catalog) -> bool:
    """Whether the module reaches models only through a gateway, so that its ids are the gateway's
    names for models (CometAPI serves ``deepseek-chat``), not DeepSeek's API's: it imports a
    gateway's module or class (``from agno.models.cometapi import CometAPI``), and nothing of
    DeepSeek's nor a client that could be pointed at DeepSeek's API (LiteLLM and pydantic-ai among
    them: their ``deepseek/`` and ``deepseek:`` prefixes name it); it calls no SDK request
    (``chat.completions.create``) and names no DeepSeek host. (An id passed to a call is the
    callee's, which ``at_gateway`` judges.)"""
    if "deepseek.com" in text.lower() or any(call in text for call in _request_literals() if "." in call):
        return False
    gateway = False
    for match in _IMPORTED.finditer(text):
        module, names, plain = match.groups()
        imported = [module] if module else [part.split()[0] for part in plain.split(",") if part.strip()]
        words = " ".join(imported) + " " + (names or "")
        if "deepseek" in words.lower() or any(_is_client_module(m) for m in imported):
            return False
        gateway = gateway or any(w in words.lower() for w in catalog.gateway_words if w not in _PLATFORM_WORDS)
    return gateway


def _is_client_module(module: str) -> bool:
    """An HTTP client's package, or a module (or a submodule) a library's requests come from:
    `agno.models.deepseek` is one, `agno.models.cometapi` is not."""
    return module.split(".")[0] in _HTTP_CLIENT_MODULES or any(module == m or module.startswith(m + ".") for m in _library_modules())


@lru_cache(maxsize=1)
def _library_modules() -> Tuple[str, ...]:
    from codemod import libraries

    return tuple(sorted({m for shape in libraries.shapes() for m in shape.modules}))


# vcrpy (`use_cassette`, `import vcr`), pytest-recording and pytest-vcr (`pytest.mark.vcr`,
# `default_cassette`), Betamax: the test answers its requests from recordings
_RECORDED_HTTP = re.compile(r"\b(?:mark\.vcr|use_cassette|default_cassette|Betamax)\b|^[ \t]*(?:import|from)[ \t]+vcr\b", re.M)
RERECORD_NOTE = ("The test replays recorded HTTP interactions (VCR cassettes), which hold the old id: "
                 "the fix is unsafe until they are re-recorded with it")


def replays_recordings(text: str) -> bool:
    """Whether a test file answers its requests from recorded HTTP interactions."""
    return _RECORDED_HTTP.search(text) is not None


def _unsafe_until_rerecorded(findings: Iterable[Finding]) -> None:
    """In a test that replays recordings, a rewritten id is no longer what the recording sent,
    and the responses (and the assertions on their ``model``) still carry the old one: after a
    fix the test fails, or passes against a recording of another request. Its safe fixes
    become unsafe, and the message says to re-record (DS006 reports the cassettes)."""
    for finding in findings:
        if finding.fix == SAFE and finding.legacy:
            finding.fix = UNSAFE
            finding.message = f"{finding.message.rstrip('.')}. {RERECORD_NOTE}"


def verify(text: str, original: Optional[str] = None) -> None:
    parse(text)


def parse(text: str) -> cst.Module:
    try:
        return parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise ScanError(f"syntax error at line {exc.raw_line}, column {exc.raw_column + 1}") from None
    except (RecursionError, MemoryError):
        raise ScanError("too deeply nested to parse") from None


# -- small helpers on nodes ---------------------------------------------------------------------


def _chain_name(expr: cst.BaseExpression) -> str:
    """The attribute names after a call: ``chat.completions.create`` for ``OpenAI().chat.completions.create``."""
    parts = []
    while type(expr) is cst.Attribute:
        parts.append(expr.attr.value)
        expr = expr.value
    return ".".join(reversed(parts))


def _patch_target(call: cst.BaseExpression) -> Optional[str]:
    """``app.agent.completion`` for ``patch("app.agent.completion")`` (also ``mocker.patch``,
    ``patch(...).start()``), ``client.chat.completions.create`` for ``patch.object(client.chat.completions, "create")``."""
    if type(call) is cst.Call and type(call.func) is cst.Attribute and call.func.attr.value == "start":
        call = call.func.value
    if type(call) is not cst.Call or not call.args:
        return None
    name = dotted_name(call.func) or ""
    if name == "patch" or name.endswith((".patch", "mocker.patch")):
        return constant_string(call.args[0].value)
    if name.endswith("patch.object") and len(call.args) > 1:
        attr = constant_string(call.args[1].value)
        owner = dotted_name(call.args[0].value) or _chain_name(call.args[0].value)
        return f"{owner}.{attr}" if attr and owner else None
    return None


class _PatchedNames(cst.CSTVisitor):
    def __init__(self) -> None:
        self.targets: Dict[str, str] = {}

    def visit_WithItem(self, node: cst.WithItem) -> None:
        target = _patch_target(node.item)
        if target and node.asname is not None and type(node.asname.name) is cst.Name:
            self.targets[node.asname.name.value] = target

    def visit_Assign(self, node: cst.Assign) -> None:
        target = _patch_target(node.value)
        if target and len(node.targets) == 1 and type(node.targets[0].target) is cst.Name:
            self.targets[node.targets[0].target.value] = target


def _patched_names(function: cst.FunctionDef) -> Dict[str, str]:
    """The mocks of a test function and what each was patched in for: the parameters its
    ``@patch(...)`` decorators pass (the bottom one first), and its ``with`` and assignments."""
    params = [p.name.value for p in function.params.params if p.name.value not in ("self", "cls")]
    patches = [d.decorator for d in function.decorators if _patch_target(d.decorator) and not keyword_arg(d.decorator, "new")]
    names = {param: _patch_target(d) for param, d in zip(params, reversed(patches))}
    visitor = _PatchedNames()
    function.body.visit(visitor)
    return {**names, **visitor.targets}


def _tests_the_id(function_name: str, model_id: str) -> bool:
    """A test named for the legacy id (``test_deepseek_with_chat_model`` for deepseek-chat)."""
    words = function_name.lower().split("_")
    family, _, kind = model_id.partition("-")
    return family in words and kind in words


def callee_name(call: cst.Call) -> str:
    """The last name of the called thing: ``create`` for ``client.chat.completions.create``."""
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return ""


def constant_string(node: cst.CSTNode) -> Optional[str]:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def positional_index(call: cst.Call, arg: cst.Arg) -> Optional[int]:
    """The index of a positional argument; None for keywords and after a ``*args``."""
    for index, candidate in enumerate(call.args):
        if candidate.keyword is not None or candidate.star:
            return None
        if candidate is arg:
            return index
    return None


# -- where a string stands ----------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    """How a string's place in the code decides its rule and fix."""

    kind: str  # "value", "getenv-default", "review", "mention"
    where: str  # for the message
    fix: Optional[str]  # SAFE, UNSAFE or None
    style: str = "env"  # "env": os.environ.get(...); "literal": the successor id as a literal
    call: Optional[cst.Call] = None  # the call the string is an argument of, if any


def _review(where: str, style: str = "literal", fix: Optional[str] = UNSAFE) -> Position:
    return Position("review", where, fix, style)


TRANSPARENT = (cst.IfExp,)
CONTAINERS = (cst.Element, cst.StarredElement, cst.List, cst.Tuple, cst.Set)


_FUNCTION_SCOPES = frozenset({cst.FunctionDef, cst.Lambda})


@dataclass
class _Members:
    """The members of a list, tuple, set, dict (its keys) or ``Literal[...]``, as ``beside`` sees them."""

    strings: List[Optional[str]]  # each member's constant string, or None
    index: Dict[int, int]  # id(member node) -> its index
    present: Set[str]
    first_node: Dict[str, cst.CSTNode]  # a string -> the first member that is it
    first_becoming: Dict[str, str]  # a successor -> the first member (a retired id) a fix turns into it
    is_argv: bool  # an argument list: a member starts with "-"

    @classmethod
    def of(cls, nodes: List[cst.CSTNode], catalog) -> "_Members":
        strings = [constant_string(n) for n in nodes]
        first_node: Dict[str, cst.CSTNode] = {}
        first_becoming: Dict[str, str] = {}
        for text, node in zip(strings, nodes):
            if text is None:
                continue
            first_node.setdefault(text, node)
            match = catalog.exact(text)
            if match is not None and match.replacement != text:
                first_becoming.setdefault(match.replacement, text)
        return cls(strings, {id(n): i for i, n in enumerate(nodes)}, set(first_node), first_node, first_becoming,
                   any(text is not None and text.startswith("-") for text in strings))


class _Visitor(Visitor):
    unvisited = LEAVES  # (comments are findings too: the whitespace that holds them is visited)

    def __init__(
        self,
        source: SourceText,
        ctx: ScanContext,
        positions: Mapping[cst.CSTNode, CodeRange],
        imports: "_ImportOs",
        statements: Optional[Set[cst.CSTNode]] = None,  # None: visit every top-level statement
        flow: Optional[ModuleFlow] = None,
    ):
        super().__init__()
        self.reports_aliases = ctx.config.reports_aliases
        self.statements = statements
        self.flow = flow
        self.in_test_file = is_test_path(ctx.path)
        self.registry_keys: Dict[str, int] = {}  # retired id -> the line of a dict literal keyed by it
        self.added_beside: Dict[str, str] = {}  # retired id -> the group of the table entry added for its successor
        for match in _dict_key_pattern(ctx.catalog).finditer(source.text):
            self.registry_keys.setdefault(match.group("id"), source.position(match.start())[0])
        self.finding_of: Dict[cst.CSTNode, Finding] = {}
        self.pending_expectation: Optional[Tuple[Edit, ...]] = None  # for the finding being made
        self.pending_unchecked: Optional[Tuple[IdMatch, Edit]] = None
        self.patched_names: Dict[cst.FunctionDef, Dict[str, str]] = {}  # a test's mocks -> what they patch
        # a test's assertions whose value was not found where they are: (finding, its literal edit) per id
        self.unchecked: Dict[str, List[Tuple[Finding, Edit]]] = {}
        # the branch tests of an if/elif chain or a match, per (chain, subject): their findings
        self.branch_tests: Dict[Tuple[cst.CSTNode, str], List[Finding]] = {}
        self._members: Dict[cst.CSTNode, _Members] = {}  # a list's, set's, dict's or subscript's members
        self.values_by_function: Dict[Optional[cst.FunctionDef], List[Finding]] = {}
        # each retired literal -> the requests it reaches
        self.plans_by_node: Dict[cst.CSTNode, List[RequestPlan]] = {}
        self.migrated_sent: Set[cst.CSTNode] = set()  # this tool's rewrites that a request of the file sends
        # each request's own model keyword: `id` of agno's `DeepSeek(id=...)` is no model keyword of every call
        self.request_model_keywords: Dict[cst.Call, Tuple[str, ...]] = {}
        for plan in flow.plans if flow is not None else ():
            if plan.shape.model:
                self.request_model_keywords[plan.call] = (plan.shape.model,)
            for origin in plan.origins:
                if origin.node is not None:
                    self.plans_by_node.setdefault(origin.node, []).append(plan)
                if origin.site is not None:
                    self.migrated_sent.add(origin.site)
                if origin.export is not None:
                    ctx.sent.add(origin.export)
                    if not plan.explicit and plan.edits:
                        ctx.thinking_sent.add(origin.export)
        self.call_site_parents: Dict[cst.CSTNode, cst.CSTNode] = {}
        self.source = source
        self.ctx = ctx
        self.catalog = ctx.catalog
        self.positions = positions
        self.imports = imports
        self.stack: List[cst.CSTNode] = []
        self.findings: List[Finding] = []
        self.api_call_sites: List[cst.Call] = []
        # Clients built with a known base URL, per scope: dotted target name -> URL info.
        self.client_hosts: List[Dict[str, UrlInfo]] = [{}]
        self.class_client_hosts: List[Dict[str, UrlInfo]] = []
        py = self.catalog.python
        self.model_keywords = frozenset(py.get("model_keywords", ()))
        self.positional_callees = frozenset(py.get("model_positional_callees", ()))
        self.model_dict_keys = frozenset(py.get("model_dict_keys", ()))
        self.base_url_keywords = frozenset(py.get("base_url_keywords", ()))
        self.api_call_suffixes = tuple(py.get("openai_call_suffixes", ()))

    # -- traversal bookkeeping --------------------------------------------------------------

    # (node types compared with `is`: isinstance() on LibCST's abstract classes is slow)
    def on_visit(self, node: cst.CSTNode) -> bool:
        self.stack.append(node)
        node_type = type(node)
        if node_type in _FUNCTION_SCOPES:
            self.client_hosts.append({})
        elif node_type is cst.ClassDef:
            self.class_client_hosts.append({})
        # a statement of the module (not the header's or footer's lines)
        if len(self.stack) == 2 and self.statements is not None and node_type is not cst.EmptyLine:
            if node not in self.statements:
                return False  # nothing here can match; on_leave still undoes the pushes above
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        node_type = type(original_node)
        if node_type in _FUNCTION_SCOPES:
            self.client_hosts.pop()
        elif node_type is cst.ClassDef:
            self.class_client_hosts.pop()
        self.stack.pop()

    def range_of(self, node: cst.CSTNode) -> Tuple[int, int]:
        return node_span(self.source, self.positions, node)

    # -- comments ----------------------------------------------------------------------------

    def visit_Comment(self, node: cst.Comment) -> None:
        if not self.catalog.may_mention(node.value):
            return
        start, _ = self.range_of(node)
        for match in self.catalog.find(node.value):
            self.findings.append(
                self.ctx.id_finding(
                    self.source, start + match.start, start + match.end, match, MENTION_RULE, where="in a comment", severity="info"
                )
            )

    # -- base URLs of clients, for host context --------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        if dotted_name(node.func) in GETENV_CALLS and node not in self.migrated_sent:
            self.report_unsent_rewrite(node)
        host = self.call_base_url(node)
        if host is None:
            return
        parent = self.stack[-2] if len(self.stack) > 1 else None
        targets: Iterable[cst.BaseExpression] = ()
        if isinstance(parent, cst.Assign):
            targets = [t.target for t in parent.targets]
        elif isinstance(parent, (cst.AnnAssign,)):
            targets = [parent.target]
        for target in targets:
            name = dotted_name(target)
            if name is None:
                continue
            if name.startswith("self.") and self.class_client_hosts:
                self.class_client_hosts[-1][name] = host
            else:
                self.client_hosts[-1][name] = host

    def call_base_url(self, call: cst.Call) -> Optional[UrlInfo]:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in self.base_url_keywords:
                value = constant_string(arg.value)
                if value is not None:
                    return self.catalog.classify_url(value)
        return None

    def routes_elsewhere(self, call: cst.Call, provider: str = PRIMARY_PROVIDER) -> bool:
        """True when the call's client points at a host that is not ``provider``'s API."""
        host = self.call_base_url(call)
        if host is None:
            receiver = self.receiver_host(call)
            host = receiver
        return host is not None and not host.serves(provider)

    @cached_property
    def gateway_only(self) -> bool:
        return gateway_only_module(self.source.text, self.catalog)

    def at_gateway(self, node: cst.CSTNode) -> bool:
        """The id flows into a gateway's class or provider (``OpenRouterModel('deepseek/deepseek-chat',
        provider=OpenRouterProvider(...))``), is assigned to a gateway's name or member
        (``COMETAPI_DEEPSEEK_CHAT``), or its line or the one above says so in a comment."""
        names = self.catalog.names_gateway
        for ancestor in reversed(self.stack[:-1]):
            kind = type(ancestor)
            if kind is cst.Call:
                if names(dotted_name(ancestor.func) or callee_name(ancestor)):
                    return True
                if any(isinstance(a.value, cst.Call) and names(dotted_name(a.value.func) or "") for a in ancestor.args if a.keyword):
                    return True
            elif kind in (cst.Assign, cst.AnnAssign):
                targets = [t.target for t in ancestor.targets] if kind is cst.Assign else [ancestor.target]
                if any(names(dotted_name(t) or "") for t in targets):
                    return True
            elif kind is cst.ClassDef:
                if names(ancestor.name.value):
                    return True
                break
            elif kind is cst.FunctionDef:
                break
        line = self.source.position(self.range_of(node)[0])[0]
        texts = [self.source.line_text(line)] + ([self.source.line_text(line - 1)] if line > 1 else [])
        return any("#" in text and names(text[text.index("#"):]) for text in texts)

    def receiver_host(self, call: cst.Call) -> Optional[UrlInfo]:
        func = call.func
        while isinstance(func, cst.Attribute):
            func = func.value
            if isinstance(func, cst.Call):
                return self.call_base_url(func)
            name = dotted_name(func)
            if name is None:
                continue
            for scope in reversed(self.client_hosts):
                if name in scope:
                    return scope[name]
            if self.class_client_hosts and name in self.class_client_hosts[-1]:
                return self.class_client_hosts[-1][name]
        return None

    # -- strings -------------------------------------------------------------------------------

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        parent = self.stack[-2] if len(self.stack) > 1 else None
        if isinstance(parent, (cst.ConcatenatedString, cst.FormattedStringExpression)):
            return  # judged as part of the whole expression
        value = node.evaluated_value
        if not isinstance(value, str):
            return
        if not self.catalog.may_mention(value):
            alias = self.catalog.alias_match(value) if self.reports_aliases else None
            if alias is not None:
                self.report_alias(node, alias)
            return
        match = self.catalog.exact(value)
        if match is not None:
            self.report_id(node, match)
            return
        url = self.catalog.classify_url(value)
        if url is not None and url.is_deepseek_api:
            self.report_url(node, url)
            return
        self.report_mentions(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        if not self.is_expression_root():
            return
        self.report_dynamic(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        if self.is_expression_root():
            self.report_dynamic(node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, cst.Add) and self.is_expression_root():
            self.report_dynamic(node)

    def is_expression_root(self) -> bool:
        parent = self.stack[-2] if len(self.stack) > 1 else None
        return not isinstance(parent, (cst.BinaryOperation, cst.ConcatenatedString, cst.FormattedStringExpression))

    # -- classification ----------------------------------------------------------------------------

    def classify(self, node: cst.CSTNode) -> Optional[Position]:
        """Where the string (the last node on the stack) stands; None when it is not reported."""
        if any(isinstance(n, cst.Assert) for n in self.stack):
            return _review("in an assertion")  # the literal successor keeps tests in step with migrated code
        if any(isinstance(n, cst.MatchCase) for n in self.stack) and self.in_match_pattern():
            return _review("in a match case")
        child = node
        index = len(self.stack) - 2
        while index >= 0:
            parent = self.stack[index]
            if isinstance(parent, TRANSPARENT) and child is not getattr(parent, "test", None):
                child, index = parent, index - 1
                continue
            if isinstance(parent, CONTAINERS):
                return self.classify_container(index)
            position = self.classify_in(parent, child, index)
            return position
        return None

    def in_match_pattern(self) -> bool:
        for n in reversed(self.stack):
            if isinstance(n, (cst.MatchValue, cst.MatchAs, cst.MatchOr)):
                return True
            if isinstance(n, (cst.IndentedBlock, cst.SimpleStatementSuite)):
                return False
        return False

    def classify_container(self, index: int) -> Optional[Position]:
        """An element of a list, tuple or set: a membership test, a Literal, or a choice list."""
        for n in reversed(self.stack[:index]):
            if isinstance(n, (cst.Comparison, cst.ComparisonTarget)):
                return _review("in a membership test")
            if isinstance(n, cst.Subscript) and self.is_literal_subscript(n):
                return _review("in a Literal[...]")
            if isinstance(n, cst.Subscript):
                return _review("in a subscript")
            if isinstance(n, cst.Call) and callee_name(n) in ("startswith", "endswith"):
                return _review("in a startswith check")
            if isinstance(n, (cst.SimpleStatementLine, cst.Arg, cst.DictElement, cst.Param)):
                break
        return _review("in a collection of model ids")

    def classify_in(self, parent: cst.CSTNode, child: cst.CSTNode, index: int) -> Optional[Position]:
        if isinstance(parent, cst.Arg):
            call = self.stack[index - 1] if index >= 1 else None
            if isinstance(call, cst.Call):
                return self.classify_argument(call, parent)
            return None
        if isinstance(parent, (cst.Assign, cst.AnnAssign)) and child is parent.value:
            if self.in_enum_body():
                # a rewrite would make the member an alias of another, or of nothing
                return _review("as an Enum member value", fix=None)
            return Position("value", "in an assignment", SAFE)
        if isinstance(parent, cst.Param) and child is parent.default:
            return Position("value", "as a default", SAFE)
        if isinstance(parent, (cst.Return, cst.Yield)) or (isinstance(parent, cst.Lambda) and child is parent.body):
            return Position("value", "as a return value", SAFE)
        if isinstance(parent, cst.DictElement):
            if child is parent.key:
                return _review("as a dict key")
            key = constant_string(parent.key)
            if key in self.model_dict_keys:
                return Position("value", f'under a "{key}" key', SAFE)
            return _review("as a dict value", style="env")
        if isinstance(parent, (cst.Comparison, cst.ComparisonTarget)):
            return _review("in a comparison")
        if isinstance(parent, (cst.Index, cst.SubscriptElement)):
            subscript = next((n for n in reversed(self.stack[:index]) if isinstance(n, cst.Subscript)), None)
            if subscript is not None and self.is_literal_subscript(subscript):
                return _review("in a Literal[...]")
            return _review("in a subscript")
        if isinstance(parent, cst.MatchValue):
            return _review("in a match case")
        if isinstance(parent, cst.Expr):
            return Position("mention", "in a docstring or bare string", None)
        if isinstance(parent, cst.AugAssign):
            return _review("in an augmented assignment")
        return _review("in an expression", fix=None)

    def classify_argument(self, call: cst.Call, arg: cst.Arg) -> Optional[Position]:
        name = dotted_name(call.func) or ""
        short = callee_name(call)
        keyword = arg.keyword.value if arg.keyword is not None else None
        position = positional_index(call, arg)
        if name in GETENV_CALLS and (position == 1 or keyword == "default"):
            return Position("getenv-default", "as an environment default", SAFE, style="literal", call=call)
        if short.startswith("assert") or (short == "call" and self.in_test_file):  # mock.call(...): an expected call
            return _review("in a test assertion")
        if short in ("startswith", "endswith"):
            return _review("in a startswith check")
        if short == "get" and position == 1 and call.args and constant_string(call.args[0].value) in self.model_dict_keys:
            return Position("value", "as a lookup default", SAFE, call=call)
        if keyword in self.model_keywords or keyword in self.base_url_keywords or keyword in self.request_model_keywords.get(call, ()):
            return Position("value", f"as {keyword}=", SAFE, call=call)
        if keyword is None and position == 0 and short in self.positional_callees:
            return Position("value", f"as the model of {short}()", SAFE, call=call)
        return Position("review", f"as an argument of {short or 'a call'}()", UNSAFE, style="env", call=call)

    def in_enum_body(self) -> bool:
        """Directly in the body of a class with an ``...Enum`` base (Enum, StrEnum, IntEnum)."""
        for node in reversed(self.stack):
            if isinstance(node, (cst.FunctionDef, cst.Lambda)):
                return False
            if isinstance(node, cst.ClassDef):
                return any((dotted_name(base.value) or "").endswith("Enum") for base in node.bases)
        return False

    @staticmethod
    def is_literal_subscript(node: cst.Subscript) -> bool:
        name = dotted_name(node.value) or ""
        return name == "Literal" or name.endswith(".Literal")

    # -- reports ----------------------------------------------------------------------------

    def report_id(self, node: cst.SimpleString, match: IdMatch) -> None:
        position = self.classify(node)
        if position is None:
            return
        if position.call is not None and self.routes_elsewhere(position.call, match.model.provider):
            return
        if position.kind != "mention" and (self.at_gateway(node) or (position.call is None and self.gateway_only)):
            return  # the gateway's namespace, not DeepSeek's API
        start, end = self.range_of(node)
        if position.kind == "mention":
            self.report_mentions(node)
            return
        group: Optional[str] = None
        if self.in_test_file:
            position, group = self.in_test(node, match, position)
        rule = VALUE_RULE if position.kind in ("value", "getenv-default", "checked", "lookup", "command") else REVIEW_RULE
        edits: List[Edit] = []
        if position.where in BESIDE_WHERE:
            position, edits = self.beside(node, match, position)
            if position.fix is not None and isinstance(self.container_of(node)[0], cst.Dict):
                group = self.added_beside[match.legacy]
        elif self.imported_table(match, position) is not None:
            # a key of a table in another module: fixed there first (DS002), never on its own here
            where = f"{position.where}, a key of the table in {self.imported_table(match, position)}"
            position = replace(position, kind="lookup", fix=None, where=where)
        elif self.is_lookup_key(node, match, position):
            line = self.registry_keys[match.legacy]
            if match.legacy in self.added_beside:  # fixed with the table's new entry, or not at all
                position = replace(position, kind="lookup", fix=UNSAFE, where=f"{position.where}, a key of the table on line {line}")
                group = self.added_beside[match.legacy]
                edits = self.replacement_edits(node, match, position, start, end)
            else:
                where = f"{position.where}, a key of the table on line {line}, which has no entry its successor can take"
                position = replace(position, kind="lookup", fix=None, where=where)
        elif position.fix is not None:
            edits = self.replacement_edits(node, match, position, start, end)
        hint = self.pending_hint = ""
        sent = position.kind in ("value", "getenv-default") or (position.kind == "review" and position.style == "env")
        default_of = None
        if position.fix is not None and sent and match.model.thinking:
            thinking_edits, hint, group = self.thinking_for(node, match)
            edits += thinking_edits
            if (hint and position.kind == "getenv-default" and position.fix == SAFE and not self.in_test_file
                    and match.model.thinking != V4_DEFAULT_THINKING):
                # another variable's default becomes the bare V4 id, which says nothing of the mode
                # the old id had: unlike this tool's own rewrite, no later check could list it
                position = replace(position, fix=UNSAFE)
                hint += BARE_UNSENT
            default_of = self.importable_default(node, match.model.thinking) if thinking_edits else None
        finding = self.ctx.id_finding(
                self.source,
                start,
                end,
                match,
                rule,
                where=position.where,
                hint=hint,
                fix=position.fix if edits else None,
                edits=tuple(edits),
                replacement=self.display_replacement(match, position, node),
                group=group,
            )
        finding.pending_hint = self.pending_hint
        finding.bare_rewrite = (bool(self.pending_hint) and position.kind == "getenv-default" and not self.in_test_file
                                and match.model.thinking != V4_DEFAULT_THINKING)
        finding.default_of = default_of
        if position.where in ("in a comparison", "in a match case") and finding.fix is not None:
            chain = self.branch_chain(node)
            if chain is not None:
                self.branch_tests.setdefault(chain, []).append(finding)
        finding.thinking_if_sent, self.pending_expectation = self.pending_expectation, None
        if self.pending_unchecked is not None:
            unchecked_match, edit = self.pending_unchecked
            self.unchecked.setdefault(unchecked_match.legacy, []).append((finding, edit))
            self.pending_unchecked = None
        self.findings.append(finding)
        self.finding_of[node] = finding
        if position.kind in ("value", "getenv-default") and finding.fix == SAFE:
            self.values_by_function.setdefault(self.innermost_function(), []).append(finding)
        if position.call is not None and position.kind == "value" and match.model.is_primary and self.is_api_call(position.call):
            self.api_call_sites.append(position.call)
            self.record_parents(position.call)

    # -- tables and lists of ids: the successor goes beside the legacy id ---------------------------

    def beside(self, node: cst.SimpleString, match: IdMatch, position: Position) -> Tuple[Position, List[Edit]]:
        """A dict key or a member of a list, set, tuple or Literal[...]: the unsafe fix adds the
        successor beside the legacy id, once, so that lookups with either id work, and never
        makes two keys or members the same (``deepseek-chat`` and ``deepseek-reasoner`` share
        one successor)."""
        container, element = self.container_of(node)
        if container is None:
            return replace(position, fix=None), []
        members = self.members_of(container)
        if members.is_argv:
            return self.in_argv(node, match, position, members)
        if isinstance(container, cst.Tuple) and position.where != "in a membership test":
            # a record such as (flag, expected): one more member changes its shape
            return replace(position, fix=None, where=f"{position.where} (a tuple: its length is part of its meaning)"), []
        successor = match.replacement
        first = members.first_becoming.get(successor)
        if successor in members.present or first != match.legacy or members.first_node.get(match.legacy) is not node:
            where = f"{position.where} (the successor `{successor}` is there already or added beside another id)"
            return replace(position, fix=None, where=where), []
        q = node.quote
        _, end = self.range_of(element)
        if isinstance(element, cst.DictElement):
            value_start, value_end = self.range_of(element.value)
            text = f", {python_string(successor, q, node.prefix)}: {self.source.text[value_start:value_end]}"
        else:
            text = f", {python_string(successor, q, node.prefix)}"
        where = f"{position.where}; the fix adds `{successor}` beside it"
        if isinstance(container, cst.Dict):  # lookups of the table with this id are fixed with it
            self.added_beside.setdefault(match.legacy, self.ensure_group_key(node))
        return replace(position, fix=UNSAFE, where=where), [Edit(end, end, text)]

    def ensure_group_key(self, node: cst.CSTNode) -> str:
        line, column = self.source.position(self.range_of(node)[0])
        return f"{self.ctx.path}:{line}:{column}"

    def in_argv(self, node: cst.SimpleString, match: IdMatch, position: Position, members: "_Members") -> Tuple[Position, List[Edit]]:
        """An argument list (``["aider", "--model", "deepseek-chat"]``): the value of a model flag is
        a command's model, renamed like one (unsafe: a command line cannot carry the thinking
        mode); anything else in it is left alone."""
        index = members.index.get(id(node))
        flag = members.strings[index - 1] if index else None
        if flag is None or not re.fullmatch(r"--[\w-]*model[\w-]*|-m", flag):
            return replace(position, fix=None, where=f"{position.where} (an argument list)"), []
        start, end = self.range_of(node)
        where = "as the model argument of a command (a command line cannot send the thinking mode: set it in the tool's own settings)"
        return (Position("command", where, UNSAFE, style="literal"),
                [Edit(start, end, python_string(match.replacement, node.quote, node.prefix))])

    def container_of(self, node: cst.SimpleString) -> Tuple[Optional[cst.CSTNode], Optional[cst.CSTNode]]:
        parent = self.stack[-2] if len(self.stack) > 1 else None
        grandparent = self.stack[-3] if len(self.stack) > 2 else None
        if isinstance(parent, cst.DictElement) and parent.key is node and isinstance(grandparent, cst.Dict):
            return grandparent, parent
        if isinstance(parent, cst.Element) and isinstance(grandparent, (cst.List, cst.Tuple, cst.Set)):
            return grandparent, parent
        if isinstance(parent, cst.Index) and isinstance(grandparent, cst.SubscriptElement):
            subscript = self.stack[-4] if len(self.stack) > 3 else None
            if isinstance(subscript, cst.Subscript):
                return subscript, grandparent
        return None, None

    @staticmethod
    def sibling_nodes(container: cst.CSTNode) -> List[cst.CSTNode]:
        if isinstance(container, cst.Dict):
            return [e.key for e in container.elements if isinstance(e, cst.DictElement)]
        if isinstance(container, cst.Subscript):
            return [e.slice.value for e in container.slice if isinstance(e.slice, cst.Index)]
        return [e.value for e in container.elements if isinstance(e, cst.Element)]

    def members_of(self, container: cst.CSTNode) -> "_Members":
        """What ``beside`` asks of a container's members, read once per container: asked once
        per member, it made a list of n ids cost n * n (2,000 ids on a line: 50 s)."""
        members = self._members.get(container)
        if members is None:
            members = self._members[container] = _Members.of(self.sibling_nodes(container), self.catalog)
        return members

    def is_lookup_key(self, node: cst.SimpleString, match: IdMatch, position: Position) -> bool:
        """A value passed to a call that is no request (``calculate_cost(model_name=...)``) in a
        file whose table is keyed by the same id: rewriting it alone would miss the table."""
        return (position.kind == "value" and position.call is not None and match.legacy in self.registry_keys
                and node not in self.plans_by_node
                and (self.flow is None or all(plan.call is not position.call for plan in self.flow.plans)))

    def imported_table(self, match: IdMatch, position: Position) -> Optional[str]:
        """Where a table keyed by this id is, when the value is passed to a function imported from
        that module (``calculate_cost(model_name="deepseek-chat")`` with ``from app.pricing import
        calculate_cost``, whose ``PRICES["deepseek-chat"]`` it reads)."""
        if position.kind != "value" or position.call is None or self.ctx.facts is None or self.flow is None:
            return None
        func = position.call.func
        head = dotted_name(func.value) if isinstance(func, cst.Attribute) else (func.value if isinstance(func, cst.Name) else None)
        scope = self.flow.scope_at(self.stack)
        while scope is not None and head is not None:
            if head in scope.imports:
                module, attr, level = scope.imports[head]
                target = module if isinstance(func, cst.Name) else ".".join(p for p in (module, attr) if p)
                return self.ctx.facts.table_with(target, level, match.legacy)
            scope = scope.parent
        return None

    # -- tests: values and the checks on them move together ---------------------------------------

    def in_test(self, node: cst.SimpleString, match: IdMatch, position: Position) -> Tuple[Position, Optional[str]]:
        """How a retired id in a test file is fixed. Values become the literal V4 id (a test
        must not depend on the environment it runs in); an assertion or mock expectation that
        checks a value being fixed is fixed with it, as one group; a test of the legacy id
        itself is left alone."""
        function = self.innermost_function()
        if function is not None and _tests_the_id(function.name.value, match.model.id):
            return _review(f"in {function.name.value}(), a test of the legacy id itself", fix=None), None
        if position.style == "env":  # a test's input is the V4 id itself, never the environment's
            return replace(position, style="literal"), None
        if position.kind == "review" and position.where in ("in an assertion", "in a test assertion"):
            group = self.checked_value(node, match)
            if group is not None:
                where = f"{position.where}, fixed with the value it checks"
                self.pending_expectation = self.expectation_thinking(node, match)
                return Position("checked", where, SAFE, style="literal"), group or None
            self.pending_unchecked = (match, self.replacement_edits(node, match, replace(position, style="literal"), *self.range_of(node))[0])
        return position, None

    def unreported_literals(self, legacy: str) -> bool:
        """Whether the file holds the id as a string this scan did not report (a value sent to
        another host, say): an assertion on the id may check that one, which stays."""
        written = len(re.findall(r"[\"']" + re.escape(legacy) + r"[\"']", self.source.text))
        return written > sum(1 for f in self.findings if f.legacy == legacy)

    def branch_chain(self, node: cst.SimpleString) -> Optional[Tuple[cst.CSTNode, str]]:
        """(the first ``if`` of an if/elif chain, or the ``match``; the text of the tested
        subject) when the literal is what a branch tests its subject against."""
        match_index = next((i for i in range(len(self.stack) - 1, -1, -1) if type(self.stack[i]) is cst.Match), None)
        if match_index is not None and any(type(n) is cst.MatchCase for n in self.stack[match_index:]):
            return self.stack[match_index], self.text_of(self.stack[match_index].subject)
        subject = self.compared_expression(node)
        index = next((i for i in range(len(self.stack) - 1, -1, -1) if type(self.stack[i]) is cst.Comparison), None)
        if subject is None or index is None or index == 0 or type(self.stack[index - 1]) is not cst.If:
            return None
        if self.stack[index - 1].test is not self.stack[index]:
            return None
        chain, index = self.stack[index - 1], index - 1
        while index > 0 and type(self.stack[index - 1]) is cst.If and self.stack[index - 1].orelse is chain:
            chain, index = self.stack[index - 1], index - 1
        return chain, self.text_of(subject)

    def text_of(self, node: cst.CSTNode) -> str:
        start, end = self.range_of(node)
        return self.source.text[start:end]

    def tested_strings(self, chain: cst.CSTNode, subject: str) -> List[str]:
        """The strings the branches of a chain test ``subject`` against, as written."""
        found: List[str] = []
        if type(chain) is cst.Match:
            for case in chain.cases:
                patterns = case.pattern.patterns if type(case.pattern) is cst.MatchOr else [case.pattern]
                for pattern in patterns:
                    pattern = getattr(pattern, "pattern", pattern)  # a MatchOrElement holds its pattern
                    if type(pattern) is cst.MatchValue and constant_string(pattern.value) is not None:
                        found.append(constant_string(pattern.value))
            return found
        branch: Optional[cst.CSTNode] = chain
        while type(branch) is cst.If:
            test = branch.test
            if type(test) is cst.Comparison and len(test.comparisons) == 1:
                sides = [test.left, test.comparisons[0].comparator]
                texts = [self.text_of(side) for side in sides]
                if subject in texts:
                    found += [constant_string(side) for side in sides if constant_string(side) is not None]
            branch = branch.orelse
        return found

    def keep_branches_apart(self) -> None:
        """No fix turns two branches into the same test: ``if name == "deepseek-chat"`` and
        ``elif name == "deepseek-reasoner"`` share one successor, so neither is fixed."""
        for (chain, subject), findings in self.branch_tests.items():
            tested = self.tested_strings(chain, subject)
            for finding in findings:
                others = [t for t in tested if t != finding.legacy]
                successors = [(self.catalog.exact(t).replacement if self.catalog.exact(t) is not None else t) for t in others]
                if finding.replacement in successors:
                    finding.fix, finding.edits = None, ()
                    finding.message += "; not fixed: another branch tests the same successor"

    def group_unchecked_assertions(self) -> None:
        """After the visit of a test file: an assertion on an id whose value was not found where
        it is (``assert argv[...] == "deepseek-chat"`` for a helper's default ``model="deepseek-chat"``)
        is fixed with the file's values of that id, as one group; when a table of the file is keyed
        by the id too, the group is fixed with the table's new entry (an unsafe fix), or not at all."""
        for legacy, unchecked in self.unchecked.items():
            values = [f for found in self.values_by_function.values() for f in found if f.legacy == legacy]
            groups = {f.group for f in values}
            if not values and self.unreported_literals(legacy):
                for finding, _ in unchecked:  # the value it checks is one this tool leaves alone
                    finding.fix, finding.edits = None, ()
                continue
            if not values or len(groups - {None}) > 1 or (None not in groups and len(groups) != 1):
                continue
            table = self.added_beside.get(legacy) if legacy in self.registry_keys else None
            if legacy in self.registry_keys and groups - {None}:
                continue  # the values are fixed with another group already
            group = table or next(iter(groups - {None}), None) or self.ensure_group(values[0])
            fix = UNSAFE if legacy in self.registry_keys else SAFE
            if legacy in self.registry_keys and table is None:
                fix = None  # the table keeps the legacy id and cannot gain its successor: nothing moves
            for finding in values:
                finding.group, finding.fix = group, fix
            for finding, edit in unchecked:
                finding.group, finding.fix, finding.edits = group, fix, (edit,) if fix else ()
                finding.rule = VALUE_RULE if fix == SAFE else finding.rule

    def checked_value(self, node: cst.SimpleString, match: IdMatch) -> Optional[str]:
        """The group of the value an assertion compares against ("" for this tool's own rewrite,
        fixed already), or None when the assertion checks nothing being fixed."""
        compared = self.compared_expression(node)
        scope = self.flow.scope_at(self.stack) if self.flow is not None and compared is not None else None
        if scope is not None:
            origins = self.flow.origins(compared, scope)
            if origins and all(o.model is not None and o.model.id == match.model.id for o in origins):
                keys = {o.export or (self.group_of(o.node) if o.node is not None else "") for o in origins}
                if None not in keys and len(keys) == 1:
                    return keys.pop()
        # a mock expectation, say: it checks what the same test passed
        for finding in self.values_by_function.get(self.innermost_function(), ()):
            if finding.legacy == match.legacy:
                return self.ensure_group(finding)
        return self.imported_constant_group(match)

    def imported_constant_group(self, match: IdMatch) -> Optional[str]:
        """The group of the one constant holding this id in the modules the test imports from:
        ``ask()`` from ``app.llm`` sends ``app.llm.MODEL``, which the test's expectation checks."""
        if self.ctx.facts is None or self.flow is None:
            return None
        module_scope = self.flow.scope_at(self.stack[:1])
        groups: Set[str] = set()
        for module, attr, level in module_scope.imports.values() if module_scope is not None else ():
            groups |= self.ctx.facts.groups_in(module, level, match.model.id)
            if attr:  # `from app import llm`
                groups |= self.ctx.facts.groups_in(f"{module}.{attr}", level, match.model.id)
        return groups.pop() if len(groups) == 1 else None

    def expectation_thinking(self, node: cst.SimpleString, match: IdMatch) -> Optional[Tuple[Edit, ...]]:
        """For ``create.assert_called_once_with(model="deepseek-chat", ...)`` (or a ``call(...)``
        compared with ``create.call_args_list``): a check of a request's exact arguments, which
        must expect the thinking mode the fix adds to the request. The edits that add it where
        the mocked call's library takes it; empty when that library is not known; None when the
        literal is in no such check."""
        expectation = self.stack[-3] if len(self.stack) > 2 else None
        parent = self.stack[-2] if len(self.stack) > 1 else None
        if type(expectation) is not cst.Call or type(parent) is not cst.Arg or parent.keyword is None:
            return None
        mocked = self.mocked_request(expectation)
        if mocked is None:
            return None
        shape = shape_for(mocked)
        if shape is None or shape.constructor or self.flow is None:
            return ()
        q = node.quote[0]
        explicit, edits, _ = self.flow.placement(expectation, shape, None, None, f"{q}{match.model.thinking}{q}", q)
        return tuple(edits or ()) if not explicit else None

    def mocked_request(self, expectation: cst.Call) -> Optional[str]:
        """The mocked call an exact-arguments expectation is about (``client.chat.completions.create``
        for ``client.chat.completions.create.assert_called_once_with(...)``), or None."""
        func = expectation.func
        if type(func) is cst.Attribute and func.attr.value in EXACT_EXPECTATIONS:
            return self.mock_of(func.value)
        if callee_name(expectation).rpartition(".")[2] != "call":
            return None
        for ancestor in reversed(self.stack[:-3]):
            if type(ancestor) is cst.Call and type(ancestor.func) is cst.Attribute and ancestor.func.attr.value == "assert_has_calls":
                return self.mock_of(ancestor.func.value)
            if type(ancestor) is cst.Comparison:
                sides = [ancestor.left, *(c.comparator for c in ancestor.comparisons)]
                for side in sides:
                    if type(side) is cst.Attribute and side.attr.value in RECORDED_CALLS:
                        return self.mock_of(side.value)
                return None
            if isinstance(ancestor, cst.BaseStatement):
                return None
        return None

    def mock_of(self, mock: cst.BaseExpression) -> str:
        """What a mock stands for: ``client.chat.completions.create`` as written, or for a bare
        name the target it was patched in as (``@patch("app.agent.completion")``, ``with
        patch(...) as m``, ``m = mocker.patch(...)``)."""
        if type(mock) is not cst.Name:
            return dotted_name(mock) or _chain_name(mock)
        function = self.innermost_function()
        if function is None:
            return mock.value
        if function not in self.patched_names:
            self.patched_names[function] = _patched_names(function)
        return self.patched_names[function].get(mock.value) or mock.value

    def compared_expression(self, node: cst.SimpleString) -> Optional[cst.BaseExpression]:
        """What ``assert X == "id"`` or ``assertEqual(X, "id")`` compares the literal with."""
        parent = self.stack[-2] if len(self.stack) > 1 else None
        grandparent = self.stack[-3] if len(self.stack) > 2 else None
        if isinstance(parent, cst.ComparisonTarget) and isinstance(grandparent, cst.Comparison):
            if len(grandparent.comparisons) == 1 and isinstance(parent.operator, (cst.Equal, cst.Is)):
                return grandparent.left
        if isinstance(parent, cst.Comparison) and parent.left is node and len(parent.comparisons) == 1:
            if isinstance(parent.comparisons[0].operator, (cst.Equal, cst.Is)):
                return parent.comparisons[0].comparator
        if isinstance(parent, cst.Arg) and isinstance(grandparent, cst.Call) and callee_name(grandparent).startswith("assert"):
            others = [a.value for a in grandparent.args[:2] if a is not parent and a.keyword is None]
            if parent.keyword is None and len(others) == 1:
                return others[0]
        return None

    def group_of(self, node: cst.CSTNode) -> Optional[str]:
        finding = self.finding_of.get(node)
        return self.ensure_group(finding) if finding is not None and finding.fix == SAFE else None

    def ensure_group(self, finding: Finding) -> str:
        if finding.group is None:
            finding.group = f"{self.ctx.path}:{finding.line}:{finding.column}"
        return finding.group

    def innermost_function(self) -> Optional[cst.FunctionDef]:
        return next((n for n in reversed(self.stack) if type(n) is cst.FunctionDef), None)

    def record_parents(self, node: cst.CSTNode) -> None:
        """The ancestors of a call site, for the retry fixer, taken from the visit's own stack."""
        index = max(i for i, n in enumerate(self.stack) if n is node)
        for child, parent in zip(self.stack[1 : index + 1], self.stack[:index]):
            self.call_site_parents[child] = parent

    def display_replacement(self, match: IdMatch, position: Position, node: cst.SimpleString) -> str:
        if position.style == "literal" or position.kind == "getenv-default":
            return match.replacement
        return self.env_expression(match, node.quote[0])

    def env_expression(self, match: IdMatch, quote: str) -> str:
        expression = f"{self.imports.name}.environ.get({python_string(match.model.env_var, quote)}, {python_string(match.model.replacement, quote)})"
        return f"{python_string(match.prefix, quote)} + {expression}" if match.prefix else expression

    def replacement_edits(self, node: cst.SimpleString, match: IdMatch, position: Position, start: int, end: int) -> List[Edit]:
        if position.style == "literal" or position.kind == "getenv-default":
            return [Edit(start, end, python_string(match.replacement, node.quote, node.prefix))]
        edits = [Edit(start, end, self.env_expression(match, node.quote[0]))]
        edits += self.imports.edits(self.stack)
        return edits

    def is_api_call(self, call: cst.Call) -> bool:
        name = dotted_name(call.func)
        if name is None:
            # `OpenAI(...).chat.completions.create(...)`: the chain starts at a call
            func, parts = call.func, []
            while isinstance(func, cst.Attribute):
                parts.append(func.attr.value)
                func = func.value
            name = ".".join(reversed(parts))
        return any(name == s or name.endswith("." + s) for s in self.api_call_suffixes)

    def thinking_for(self, node: cst.SimpleString, match: IdMatch) -> Tuple[List[Edit], str, Optional[str]]:
        """The edits that send the thinking mode the retired id implied with every request it
        reaches in this file, a hint when that cannot be done, and the fix group of a module
        constant other modules may import (their requests are fixed with it, or not at all)."""
        mode = match.model.thinking
        plans = self.plans_by_node.get(node, [])
        edits = [edit for plan in plans if not plan.explicit for edit in plan.edits or ()]
        blocked = [p for p in plans if not p.explicit and p.edits is None]
        export = self.exported_name(node)
        group = f"{self.ctx.path}:{export}" if export else None
        if blocked:
            where = "; ".join(f"line {self.line_of(p.call)}: {p.problem}" for p in blocked)
            return edits, f"V4 thinks by default: send thinking {mode} with the request that uses it ({where})", group
        if plans:
            if edits and group:
                self.ctx.thinking_sent.add(group)
            return edits, "", group
        hint = (f"V4 thinks by default and no request sending it was found: send thinking {mode} with it "
                f'(OpenAI SDK: extra_body={{"thinking": {{"type": "{mode}"}}}})')
        if export:
            self.pending_hint = hint  # unless a request in another module sends it (the engine knows)
            return [], "", group
        return [], hint, None

    def importable_default(self, node: cst.SimpleString, mode: str) -> Optional[ParamDefault]:
        """The literal as a parameter's default (whose request gets ``mode``) in a function other
        modules may import and call with their own value: a module-level function, or a method
        (a constructor) of a top-level class."""
        stack = self.stack
        if len(stack) < 5 or not isinstance(stack[-2], cst.Param) or stack[-2].default is not node:
            return None
        if len(stack) == 5 and isinstance(stack[1], cst.FunctionDef):
            function, name = stack[1], stack[1].name.value
        elif len(stack) == 7 and isinstance(stack[1], cst.ClassDef) and isinstance(stack[3], cst.FunctionDef):
            function = stack[3]
            cls = stack[1].name.value
            name = cls if function.name.value == "__init__" else f"{cls}.{function.name.value}"
        else:
            return None
        params = function.params
        ordered = list(params.posonly_params) + list(params.params)
        param = stack[-2]
        index = next((i for i, p in enumerate(ordered) if p is param), None)
        decorators = {dotted_name(d.decorator) for d in function.decorators}
        if index is not None and function is not stack[1] and "staticmethod" not in decorators:
            index -= 1  # `self` is not written at a call
        return ParamDefault(f"{self.ctx.path}:{name}", param.name.value, index, mode)

    def line_of(self, node: cst.CSTNode) -> int:
        return self.source.position(self.range_of(node)[0])[0]

    def exported_name(self, node: cst.SimpleString) -> Optional[str]:
        """``NAME`` when the literal is the value (or the getenv default) of ``NAME = ...`` at
        module level: another module may import it."""
        prefix = ""
        stack = self.stack
        if len(stack) > 4 and isinstance(stack[1], cst.ClassDef) and isinstance(stack[2], cst.IndentedBlock):
            prefix = f"{stack[1].name.value}."  # a class attribute, a dataclass field: Class.attr
            stack = stack[:1] + stack[3:]
        if len(stack) < 4 or not isinstance(stack[1], cst.SimpleStatementLine):
            return None
        statement = stack[2]
        targets = [t.target for t in statement.targets] if isinstance(statement, cst.Assign) else (
            [statement.target] if isinstance(statement, cst.AnnAssign) else [])
        if len(targets) != 1 or not isinstance(targets[0], cst.Name):
            return None
        value = statement.value
        if value is node or (isinstance(value, cst.Call) and any(arg.value is node for arg in value.args[1:2])):
            return prefix + targets[0].value
        return None

    def report_unsent_rewrite(self, call: cst.Call) -> None:
        """This tool's own rewrite of a retired id (``os.environ.get("DEEPSEEK_CHAT_MODEL",
        "deepseek-v4-flash")``) as a value that no request of this file sends: the report keeps
        listing it until one does, with the thinking mode the old id had (a notice; for a module
        constant, only when no request of the project sends it)."""
        if len(call.args) != 2:
            return
        model = migrated_model(self.catalog, constant_string(call.args[0].value), constant_string(call.args[1].value))
        if model is None or model.thinking is None:
            return
        position = self.classify(call)
        if position is None or position.kind != "value":
            return
        export = self.exported_call(call)
        start, end = self.range_of(call)
        message = (f"`{model.env_var}` holds the successor of `{model.id}`, whose thinking mode was {model.thinking}, "
                   f"and no request that sends it with thinking {model.thinking} was found; V4 thinks by default")
        finding = self.ctx.finding(self.source, start, end, THINKING_RULE, "notice", message, legacy=model.id,
                                   replacement=f"thinking {model.thinking}",
                                   group=f"{self.ctx.path}:{export}" if export else None, unless_sent=bool(export))
        self.findings.append(finding)

    def exported_call(self, call: cst.Call) -> Optional[str]:
        """``NAME`` (or ``Class.attr``) when the call is the value of a module or class constant."""
        stack = self.stack
        prefix = ""
        if len(stack) > 4 and isinstance(stack[1], cst.ClassDef) and isinstance(stack[2], cst.IndentedBlock):
            prefix, stack = f"{stack[1].name.value}.", stack[:1] + stack[3:]
        if len(stack) != 4 or not isinstance(stack[1], cst.SimpleStatementLine):
            return None
        statement = stack[2]
        target = (statement.targets[0].target if isinstance(statement, cst.Assign) and len(statement.targets) == 1
                  else statement.target if isinstance(statement, cst.AnnAssign) else None)
        return prefix + target.value if isinstance(target, cst.Name) and statement.value is call else None

    def request_findings(self) -> List[Finding]:
        """DS007 at each request whose thinking mode is not decided by a retired literal of this
        file (those are fixed with the literal): a model from another module or this tool's
        own rewrite, or one that cannot be known here."""
        findings: List[Finding] = []
        for plan in self.flow.plans if self.flow is not None else ():
            if plan.explicit or (plan.edits is not None and any(o.node is not None for o in plan.origins)):
                continue  # sent already, or fixed with the retired literal it comes from
            finding = self.request_finding(plan)
            if finding is not None:
                findings.append(finding)
        return findings

    def request_finding(self, plan: RequestPlan) -> Optional[Finding]:
        start, end = self.range_of(plan.model_node)
        known = plan.retired_origins
        library = plan.shape.library
        if plan.fully_known and plan.mode is not None and plan.edits is not None:
            model = known[0].model
            exports = sorted({o.export for o in known if o.export})
            source = f"from `{known[0].where}`" if exports else f"read from {model.env_var}"
            message = (f"This {library} request sends `{model.id}`'s successor {source} without a thinking mode; "
                       f"V4 thinks by default: send thinking {plan.mode}")
            severity = self.catalog.severity(model, self.ctx.today) if exports else "warning"
            return self.ctx.finding(self.source, start, end, THINKING_RULE, severity, message, fix=SAFE,
                                    edits=tuple(plan.edits), legacy=model.id, replacement=f"thinking {plan.mode}",
                                    group=exports[0] if exports else None)
        if known:
            ids = ", ".join(sorted({f"`{o.model.id}`" for o in known}))
            message = (f"This {library} request may send {ids} (and {plan.problem}); V4 thinks by default: "
                       "send the thinking mode each one had explicitly")
            return self.ctx.finding(self.source, start, end, THINKING_RULE, "warning", message)
        if not any(o.kind == UNKNOWN for o in plan.origins):
            return None  # a current id written as such: its default thinking mode is the author's choice
        message = (f"This {library} request to DeepSeek sends no thinking mode, and its model is not known here; "
                   "V4 thinks by default: send thinking explicitly (disabled where the model was deepseek-chat)")
        return self.ctx.finding(self.source, start, end, THINKING_RULE, "notice", message)

    def report_alias(self, node: cst.SimpleString, alias: AliasMatch) -> None:
        """DS008: a value that is an id the API still routes to another (``deepseek-v4-flash`` to
        ``deepseek-flash`` since 2026-09-10). This tool's own rewrite of a retired id is left
        alone: a project that wants the canonical id there sets the retired id's replacement."""
        position = self.classify(node)
        if position is None or position.kind not in ("value", "getenv-default"):
            return
        if position.kind == "getenv-default" and self.rewrite_variable(position.call) is not None:
            return
        start, end = self.range_of(node)
        canonical = alias.prefix + alias.canonical
        since = f" since {alias.since}" if alias.since else ""
        message = (f"`{alias.prefix}{alias.alias}` is an alias of `{canonical}`{since}, which the API routes it to; "
                   f"`{canonical}` is the canonical id")
        self.findings.append(
            self.ctx.finding(self.source, start, end, ALIAS_RULE, "info", message, fix=UNSAFE,
                             edits=(Edit(start, end, python_string(canonical, node.quote, node.prefix)),),
                             legacy=alias.prefix + alias.alias, replacement=canonical)
        )

    def rewrite_variable(self, call: Optional[cst.Call]) -> Optional[str]:
        """The variable of ``os.environ.get(VAR, ...)`` when VAR is the one a retired id's rewrite reads."""
        first = call.args[0].value if call is not None and call.args else None
        variable = constant_string(first) if first is not None else None
        return variable if variable in {m.env_var for m in self.catalog.retired.values()} else None

    def report_url(self, node: cst.SimpleString, url: UrlInfo) -> None:
        position = self.classify(node)
        if position is None or position.kind == "mention":
            return
        start, end = self.range_of(node)
        fixable = position.kind in ("value", "getenv-default") or (position.call is not None and position.fix)
        if url.kind == "expired":
            canonical = self.catalog.canonical_base_url
            edits = (Edit(start, end, python_string(canonical, node.quote, node.prefix)),) if fixable else ()
            message = f"Expired DeepSeek endpoint `{url.url}` (dated path expired {url.expired_on or ''}); use `{canonical}`"
            self.findings.append(
                self.ctx.finding(self.source, start, end, EXPIRED_URL_RULE, "error", message, fix=SAFE if edits else None,
                                 edits=edits, legacy=url.url, replacement=canonical)
            )
            return
        if url.kind != "api" or position.kind != "value":
            return
        q = node.quote[0]
        expression = f"{self.imports.name}.environ.get({python_string(self.catalog.base_url_env_var, q)}, {python_string(url.url, q)})"
        message = f"Hard-coded DeepSeek base URL `{url.url}`; read it from {self.catalog.base_url_env_var}"
        edits = (Edit(start, end, expression),) + tuple(self.imports.edits(self.stack))
        self.findings.append(
            self.ctx.finding(self.source, start, end, HARDCODED_URL_RULE, "notice", message, fix=SAFE, edits=edits,
                             legacy=url.url, replacement=expression)
        )

    def report_mentions(self, node: cst.CSTNode) -> None:
        start, end = self.range_of(node)
        raw = self.source.text[start:end]
        where = "in a docstring" if self.is_docstring() else "in a string"
        for match in self.catalog.find(raw):
            checked = self.checked_in_text(match)
            if checked is not None:  # `assertIn("Auxiliary model: deepseek/deepseek-chat", out)`
                edit = Edit(start + match.start, start + match.end, match.replacement)
                self.findings.append(self.ctx.id_finding(
                    self.source, start + match.start, start + match.end, match, VALUE_RULE,
                    where="in a test assertion's text, fixed with the value it checks", fix=SAFE, edits=(edit,),
                    replacement=match.replacement, group=self.ensure_group(checked)))
                continue
            self.findings.append(
                self.ctx.id_finding(self.source, start + match.start, start + match.end, match, MENTION_RULE, where=where, severity="info")
            )

    def checked_in_text(self, match: IdMatch) -> Optional[Finding]:
        """The value a test assertion's longer text names, when the test function fixes a value
        of the same id before it (the text is made from that value)."""
        if not self.in_test_file or not any(type(n) is cst.Assert for n in self.stack) and not self.in_assert_call():
            return None
        for finding in self.values_by_function.get(self.innermost_function(), ()):
            value = self.catalog.exact(finding.legacy or "")
            if value is not None and value.model.id == match.model.id:
                return finding
        return None

    def in_assert_call(self) -> bool:
        parent = self.stack[-2] if len(self.stack) > 1 else None
        grandparent = self.stack[-3] if len(self.stack) > 2 else None
        return type(parent) is cst.Arg and type(grandparent) is cst.Call and callee_name(grandparent).startswith("assert")

    def is_docstring(self) -> bool:
        return len(self.stack) >= 2 and isinstance(self.stack[-2], cst.Expr)

    def report_dynamic(self, node: cst.BaseExpression) -> None:
        patterns = possible_values(node)
        if patterns is None:
            return
        definite, possible = set(), set()
        for parts in patterns:
            if all(p is not WILDCARD for p in parts):
                match = self.catalog.exact("".join(parts))  # type: ignore[arg-type]
                if match is not None:
                    definite.add(match.legacy)
                continue
            possible.update(self.ids_matching(parts))
        if not definite and not possible:
            if isinstance(node, cst.FormattedString):
                self.report_mentions(node)
            return
        start, end = self.range_of(node)
        ids = sorted(definite or possible)
        model = self.catalog.exact(ids[0])
        assert model is not None
        how = "builds" if definite else "can build"
        label = self.catalog.providers[model.model.provider].label
        message = f"This expression {how} the retired {label} model id{'s' if len(ids) > 1 else ''} " + ", ".join(f"`{i}`" for i in ids)
        message += f"; build `{model.replacement}`" + (" and send the thinking mode explicitly" if model.model.is_primary else "")
        self.findings.append(
            self.ctx.finding(self.source, start, end, DYNAMIC_RULE, self.catalog.severity(model.model, self.ctx.today), message,
                             legacy=", ".join(ids), replacement=model.replacement)
        )

    def ids_matching(self, parts: Sequence[Optional[str]]) -> List[str]:
        """Retired ids a pattern can spell, unless it can spell a current id as well: then it is
        a generic template (`f"deepseek-{size}"`) and not constant enough to tell."""
        pattern = re.compile("".join(".*" if p is WILDCARD else re.escape(p) for p in parts), re.S)
        prefixes = ("",) + self.catalog.count_prefixes
        current = {prefix + m.replacement for m in self.catalog.retired.values() for prefix in prefixes}
        if any(pattern.fullmatch(c) for c in current):
            return []
        candidates = [prefix + model_id for model_id in self.catalog.retired for prefix in prefixes]
        return [c for c in candidates if pattern.fullmatch(c)]


Pattern = List[Optional[str]]


def possible_values(node: cst.CSTNode) -> Optional[List[Pattern]]:
    """The strings an expression can produce, as parts where WILDCARD stands for any text."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return [[value]] if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        return _product(possible_values(node.left), possible_values(node.right))
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _product(possible_values(node.left), possible_values(node.right))
    if isinstance(node, cst.IfExp):
        body, orelse = possible_values(node.body), possible_values(node.orelse)
        if body is None or orelse is None:
            return [[WILDCARD]]
        return (body + orelse)[:MAX_DYNAMIC_COMBINATIONS]
    if isinstance(node, cst.Call) and dotted_name(node.func) in GETENV_CALLS and len(node.args) >= 2:
        # A configured value is the user's choice; only the default can be stale.
        default = constant_string(node.args[1].value)
        return [[default]] if default is not None else [[WILDCARD]]
    if isinstance(node, cst.FormattedString):
        result: Optional[List[Pattern]] = [[]]
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                piece: Optional[List[Pattern]] = [[part.value]]
            else:
                piece = possible_values(part.expression) if part.format_spec is None and part.conversion is None else None
                piece = piece or [[WILDCARD]]
            result = _product(result, piece)
        return result
    return [[WILDCARD]]


def _product(left: Optional[List[Pattern]], right: Optional[List[Pattern]]) -> Optional[List[Pattern]]:
    if left is None or right is None:
        return None
    return [a + b for a, b in itertools.islice(itertools.product(left, right), MAX_DYNAMIC_COMBINATIONS)]


# -- import os ------------------------------------------------------------------------------------


def _runs_when_called(stack: Sequence[cst.CSTNode]) -> bool:
    """Whether the innermost of ``stack`` is in the body of a function or lambda (not in its
    decorators or default values, which run where it is defined)."""
    return any(type(node) in (cst.FunctionDef, cst.Lambda) and child is node.body for node, child in zip(stack, stack[1:]))


def _binds_os_as(alias: cst.ImportAlias, name: str) -> bool:
    local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else None
    return dotted_name(alias.name) == "os" and (local or "os") == name


def _rebinds_at_top_level(text: str, name: str) -> bool:
    """Whether the module's own top-level lines bind ``name`` to something else than the module
    ``import os`` gives: an assignment, a def or class, an import under that name, a for loop.
    Read from the whole text (the scan may have parsed only some statements)."""
    word = re.escape(name)
    pattern = (rf"(?m)^(?:{word}\s*(?::[^=\n]*)?=(?!=)|{word}\s*,|(?:async\s+)?def\s+{word}\b|class\s+{word}\b|for\s+{word}\b"
               rf"|import\s+.*\bas\s+{word}\b|from\s+\S+\s+import\s+(?:.*[\s,(])?{word}\b(?!\s+as\b))")
    for match in re.finditer(pattern, text):
        line = match.group(0)
        if name == "os" and line.startswith("import") and re.match(r"import\s+os\s+as\s+os\b", line):
            continue
        return True
    return False


class _ImportOs:
    """The one ``import os`` edit a file needs, placed after the docstring and __future__ imports."""

    def __init__(self, module: cst.Module, positions: Mapping[cst.CSTNode, CodeRange], source: SourceText):
        self.module = module
        self.positions = positions
        self.source = source
        self._edit: Optional[Edit] = None  # computed once, where the first use needs it
        self._name: Optional[str] = None
        self._first_imports: Dict[str, Optional[int]] = {}
        self._indexes: Optional[Dict[int, int]] = None

    @property
    def name(self) -> str:
        """``os``, or ``_os`` (imported as ``import os as _os``) in a module that binds the name
        ``os`` to something else (``os = "not a module"``): an ``import os`` above it would be
        rebound, and ``os.environ`` would fail."""
        if self._name is None:
            text = self.source.text
            self._name = "os" if not _rebinds_at_top_level(text, "os") else next(
                alias for alias in ("_os", "_v4_migrate_os") if self.imported_as(alias) or not _rebinds_at_top_level(text, alias))
        return self._name

    def edits(self, stack: Sequence[cst.CSTNode] = ()) -> List[Edit]:
        """The edit for a use of ``os`` whose ancestors are ``stack`` (the module first): none
        where ``os`` is imported already. An ``import os`` below the use's statement counts only
        for a use in a function's body, which runs when it is called: one that runs as the module
        is imported (``X = {"model": os.environ.get(...)}`` above the import) needs its own."""
        statement = stack[1] if len(stack) > 1 and not _runs_when_called(stack) else None
        if self.imported_as(self.name, before=statement):
            return []
        if self._edit is None:
            self._edit = self.compute()
        return [self._edit]

    def imported_as(self, name: str, before: Optional[cst.CSTNode] = None) -> bool:
        """Whether the module has ``import os`` (``name`` "os") or ``import os as name``; with
        ``before``, a top-level statement, above it."""
        first = self._first_import(name)
        if first is None:
            return False
        return before is None or first < self._index_of().get(id(before), len(self.module.body))

    def _first_import(self, name: str) -> Optional[int]:
        """The index in the module's body of its first top-level ``import os`` binding ``name``;
        kept per name, as every use in a file asks (a module of thousands of ids)."""
        if name not in self._first_imports:
            self._first_imports[name] = next(
                (index for index, statement in enumerate(self.module.body)
                 if isinstance(statement, cst.SimpleStatementLine)
                 and any(isinstance(small, cst.Import) and any(_binds_os_as(alias, name) for alias in small.names) for small in statement.body)),
                None)
        return self._first_imports[name]

    def _index_of(self) -> Dict[int, int]:
        if self._indexes is None:
            self._indexes = {id(statement): index for index, statement in enumerate(self.module.body)}
        return self._indexes

    def compute(self) -> Edit:
        newline = self.source.newline()
        last_header: Optional[cst.CSTNode] = None
        for index, statement in enumerate(self.module.body):
            if self.is_docstring(statement, index) or self.is_future_import(statement):
                last_header = statement
                continue
            break
        if last_header is not None:
            end_line = self.positions[last_header].end.line
            if end_line < self.source.line_count:
                offset = self.source.line_start(end_line + 1)
                return Edit(offset, offset, f"{self.statement()}{newline}")
            return Edit(len(self.source.text), len(self.source.text), f"{newline}{self.statement()}{newline}")
        first = self.module.body[0] if self.module.body else None
        if first is not None and getattr(first, "decorators", None):
            first = first.decorators[0]  # a decorated definition starts at its first decorator
        offset = self.source.line_start(self.positions[first].start.line) if first is not None else 0
        return Edit(offset, offset, f"{self.statement()}{newline}")

    def statement(self) -> str:
        return "import os" if self.name == "os" else f"import os as {self.name}"

    @staticmethod
    def is_docstring(statement: cst.CSTNode, index: int) -> bool:
        return (
            index == 0
            and isinstance(statement, cst.SimpleStatementLine)
            and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
        )

    @staticmethod
    def is_future_import(statement: cst.CSTNode) -> bool:
        return (
            isinstance(statement, cst.SimpleStatementLine)
            and any(isinstance(s, cst.ImportFrom) and dotted_name(s.module) == "__future__" for s in statement.body if isinstance(s, cst.ImportFrom) and s.module is not None)
        )

"""DS201: the retry policy ``--fix`` adds at each DeepSeek API call site it migrates.

The Python scanner calls ``retry_findings`` once per file with the OpenAI-SDK call sites whose
model is a retired id. A site already covered (a retry decorator on an enclosing function, a
client with explicit ``max_retries``, a retry loop around it) is left alone; every other one gets
a finding whose edits add a policy. ``retry-strategy`` picks it:

* ``tenacity``: a ``@tenacity.retry(...)`` that retries 408/409/429/5xx and connection errors and
  never a 400 (``BadRequestError`` is an ``APIError`` too, so the predicate looks at status codes);
* ``sdk``: ``max_retries=`` on the ``OpenAI(...)``/``AsyncOpenAI(...)`` the call's receiver is
  built by in the same file (the SDK retries exactly the transient errors, honouring Retry-After);
* ``shim``: ``@retry_transient()`` from the runtime shim;
* ``auto``: tenacity if the project already depends on it, else sdk, else shim; never a new
  third-party dependency.

A decorator cannot go where there is no enclosing function (module level), where the call runs
later (inside a lambda) or where the function is a generator (calling it retries nothing); those
sites fall back to sdk, else are reported without a fix. Edits only insert text, in the file's
own indentation and line breaks; imports go after the docstring, ``__future__`` and leading imports.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

import libcst as cst
from libcst.metadata import CodeRange

from codemod.catalog import tomllib
from codemod.ftypes import UNSAFE, Edit, Finding, ScanContext, SourceText
from codemod.pysource import TRIVIA, Visitor, dotted_name, item_insertion, keyword_arg, node_span, visit_tree

RULE = "DS201"
SEVERITY = "notice"
MAX_RETRIES = 3
CLIENT_CLASSES = frozenset({"OpenAI", "AsyncOpenAI"})
CLIENT_FACTORIES = frozenset({"with_options", "copy"})  # return a client with changed options
RETRY_NAME_HINTS = ("retry", "backoff")  # decorators and loop iterables that already retry
DEFAULT_CALL_SUFFIXES = ("chat.completions.create", "completions.create")

TENACITY, SDK, SHIM = "tenacity", "sdk", "shim"
_TOKEN = re.compile(r"\w+|.", re.DOTALL)
_BLANKS = re.compile(r"(?:\s+|#[^\r\n]*|\\\r?\n)*")  # whitespace, comments, line continuations

SHIM_DECORATOR = "@retry_transient()"
SHIM_IMPORT = "from codemod.shim import retry_transient"
# Never retries 400/401/402/403/404/422: only these status codes and connection errors.
TENACITY_DECORATOR = """@tenacity.retry(
    retry=tenacity.retry_if_exception(
        lambda e: isinstance(e, openai.APIConnectionError)
        or getattr(e, "status_code", None) in (408, 409, 429)
        or (getattr(e, "status_code", None) or 0) >= 500
    ),
    wait=tenacity.wait_random_exponential(multiplier=0.5, max=30),
    stop=tenacity.stop_after_attempt(4),
    reraise=True,
)"""
TENACITY_MODULES = ("openai", "tenacity")  # the decorator names both


# -- the entry point --------------------------------------------------------------------------------


def retry_findings(
    source: SourceText,
    ctx: ScanContext,
    module: cst.Module,
    positions: Mapping[cst.CSTNode, CodeRange],
    call_sites: Sequence[cst.Call],
    parents: Optional[Mapping[cst.CSTNode, cst.CSTNode]] = None,
) -> List[Finding]:
    """A DS201 finding for each call site without a retry policy; its edits add one.
    ``parents`` maps each ancestor of the call sites to its parent, when the caller has them."""
    strategy = ctx.config.retry_strategy
    if strategy == "off" or not call_sites:
        return []
    tree = _Tree(source, module, positions, call_sites, parents)
    suffixes = tuple(ctx.catalog.python.get("openai_call_suffixes") or DEFAULT_CALL_SUFFIXES)
    order = strategy_order(strategy, lambda: tree.imports_module("tenacity") or project_declares(ctx.path, "tenacity"))
    sites = [site for site in (_Site(tree, call, suffixes) for call in call_sites) if not site.has_retry_policy()]
    fixes = [next(filter(None, (_fix_for(site, s) for s in order)), None) for site in sites]
    edits = _file_edits(source.text, [fix.insertions if fix else () for fix in fixes])
    return [_finding(source, ctx, site, fix, site_edits) for site, fix, site_edits in zip(sites, fixes, edits)]


def strategy_order(strategy: str, tenacity_declared: Callable[[], bool]) -> Tuple[str, ...]:
    """The strategies to try, best first. Decorator strategies fall back to ``sdk``, which adds no
    dependency, where a decorator cannot go. ``tenacity_declared`` is called only for ``auto``."""
    if strategy == "auto":
        return ((TENACITY,) if tenacity_declared() else ()) + (SDK, SHIM)
    if strategy in (TENACITY, SHIM):
        return (strategy, SDK)
    return (strategy,)


@dataclass(frozen=True)
class Insertion:
    """``text`` to put at ``offset``. With ``carrier`` > 0 the edit replaces the ``carrier``
    characters there by ``text`` plus those characters: the same result, but not a second
    insertion at the point where the id fix may insert ``import os`` (the applier refuses two)."""

    offset: int
    text: str
    carrier: int = 0

    @property
    def key(self) -> Tuple[int, int]:
        return self.offset, self.carrier


@dataclass(frozen=True)
class _Fix:
    insertions: Tuple[Insertion, ...]
    advice: str  # what the fix does, for the message
    display: str  # the added policy, for the replacement column


def _file_edits(text: str, insertions_per_fix: Sequence[Sequence[Insertion]]) -> List[Tuple[Edit, ...]]:
    """Each fix's edits. All insertions at one point in the file become one edit (imports before
    the decorator of a function on line 1, say), shared by every finding that inserts there."""
    texts: Dict[Tuple[int, int], List[str]] = {}
    for insertions in insertions_per_fix:
        for insertion in insertions:
            at_point = texts.setdefault(insertion.key, [])
            if insertion.text not in at_point:
                at_point.append(insertion.text)

    def edit(offset: int, carrier: int) -> Edit:
        return Edit(offset, offset + carrier, "".join(texts[offset, carrier]) + text[offset : offset + carrier])

    return [tuple(edit(*key) for key in dict.fromkeys(i.key for i in insertions)) for insertions in insertions_per_fix]


def _finding(source: SourceText, ctx: ScanContext, site: "_Site", fix: Optional[_Fix], edits: Tuple[Edit, ...]) -> Finding:
    start, end = site.tree.span(site.call.func)
    lead = f"DeepSeek API call `{site.tree.code(site.call.func)}` has no retry policy"
    if fix is None:
        message = f"{lead}; no automatic fix here ({site.why_unfixable()}): retry 408/409/429/5xx and connection errors, never a 400"
        return ctx.finding(source, start, end, RULE, severity=SEVERITY, message=message, fix=None)
    return ctx.finding(
        source, start, end, RULE, severity=SEVERITY, message=f"{lead}; {fix.advice}", fix=UNSAFE,
        edits=edits, replacement=fix.display,
    )


def _fix_for(site: "_Site", strategy: str) -> Optional[_Fix]:
    tree = site.tree
    if strategy == SDK:
        client = site.editable_client()
        insertion = tree.argument_insertion(client, f"max_retries={MAX_RETRIES}") if client is not None else None
        if insertion is None:
            return None
        line = tree.positions[client].start.line
        advice = f"set `max_retries={MAX_RETRIES}` on the client built on line {line} (the SDK retries only transient errors)"
        return _Fix((insertion,), advice, f"max_retries={MAX_RETRIES}")
    function = site.decoratable_function()
    if function is None:
        return None
    name = function.name.value
    if strategy == TENACITY:
        imports = tree.import_insertions([f"import {m}" for m in TENACITY_MODULES if not tree.binds_module(m)])
        advice = f"decorate `{name}` with a tenacity policy that retries transient errors and never a 400"
        return _Fix(imports + (tree.decorator_insertion(function, TENACITY_DECORATOR),), advice, "@tenacity.retry(...)")
    imports = tree.import_insertions([] if tree.binds_name("retry_transient") else [SHIM_IMPORT])
    advice = (
        f"decorate `{name}` with `{SHIM_DECORATOR}` from v4-migrate's runtime shim (needs deepseek-v4-migrate at "
        "run time, or a vendored copy: `v4-migrate --vendor-shim PATH`)"
    )
    return _Fix(imports + (tree.decorator_insertion(function, SHIM_DECORATOR),), advice, SHIM_DECORATOR)


# -- one call site ----------------------------------------------------------------------------------


class _Site:
    def __init__(self, tree: "_Tree", call: cst.Call, suffixes: Sequence[str]):
        self.tree = tree
        self.call = call
        self.option_calls, self.client = _peel_option_calls(receiver_of(call, suffixes))

    # -- is it covered already? ---------------------------------------------------------------------

    def has_retry_policy(self) -> bool:
        return self.in_retrying_function() or self.in_retry_loop() or self.client_sets_max_retries()

    def in_retrying_function(self) -> bool:
        return any(
            isinstance(node, cst.FunctionDef) and any(_mentions_retry(self.tree.code(_callee(d.decorator))) for d in node.decorators)
            for node in self.tree.ancestors(self.call)
        )

    def in_retry_loop(self) -> bool:
        """Inside ``for``/``while`` around a ``try`` whose body holds the call, or inside a loop
        over a retrying iterable (``for attempt in tenacity.Retrying(...)``)."""
        child: cst.CSTNode = self.call
        in_try_body = False
        for node in self.tree.ancestors(self.call):
            if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return False
            if isinstance(node, (cst.Try, cst.TryStar)) and child is node.body and node.handlers:
                in_try_body = True
            if isinstance(node, cst.While) and in_try_body:
                return True
            if isinstance(node, cst.For) and (in_try_body or _mentions_retry(self.tree.code(_callee(node.iter)))):
                return True
            child = node
        return False

    def client_sets_max_retries(self) -> bool:
        calls = self.option_calls + self.tree.clients_for(self.client)
        return any(keyword_arg(c, "max_retries") is not None for c in calls)

    # -- where a policy can go ----------------------------------------------------------------------

    def editable_client(self) -> Optional[cst.Call]:
        """The constructor to add ``max_retries`` to: the last one before the call, else the first."""
        clients = self.tree.clients_for(self.client)
        if not clients:
            return None
        call_start = self.tree.span(self.call)[0]
        before = [c for c in clients if self.tree.span(c)[0] < call_start]
        chosen = before[-1] if before else clients[0]
        return None if any(arg.star == "**" for arg in chosen.args) else chosen

    def decoratable_function(self) -> Optional[cst.FunctionDef]:
        for node in self.tree.ancestors(self.call):
            if isinstance(node, (cst.Lambda, cst.ClassDef)):
                return None
            if isinstance(node, cst.FunctionDef):
                return None if self.tree.is_generator(node) else node
        return None

    def why_unfixable(self) -> str:
        function = next((n for n in self.tree.ancestors(self.call) if isinstance(n, (cst.FunctionDef, cst.Lambda))), None)
        if function is None:
            where = "a module-level call"
        elif isinstance(function, cst.Lambda):
            where = "a call inside a lambda"
        elif self.tree.is_generator(function):
            where = f"`{function.name.value}` is a generator"
        else:
            where = "the retry strategy does not apply here"
        return f"{where}, and no client built in this file to set max_retries on"


def receiver_of(call: cst.Call, suffixes: Sequence[str]) -> Optional[cst.BaseExpression]:
    """The client expression before the longest known suffix: ``self.client`` for
    ``self.client.chat.completions.create(...)``."""
    node, attrs, receiver = call.func, [], None
    while isinstance(node, cst.Attribute):
        attrs.insert(0, node.attr.value)
        node = node.value
        if ".".join(attrs) in suffixes:
            receiver = node
    return receiver


def _token_length(text: str, offset: int) -> int:
    """The length of the word (``def``, ``async``) or the one character at ``offset``."""
    return len(_TOKEN.match(text, offset).group())


def _mentions_retry(code: str) -> bool:
    lowered = code.lower()
    return any(hint in lowered for hint in RETRY_NAME_HINTS)


def _callee(node: cst.BaseExpression) -> cst.BaseExpression:
    """What is called, for ``@retry(...)``-style expressions; the expression itself otherwise."""
    return node.func if isinstance(node, cst.Call) else node


def _peel_option_calls(receiver: Optional[cst.BaseExpression]) -> Tuple[List[cst.Call], Optional[cst.BaseExpression]]:
    """``client.with_options(...).copy(...)`` -> those calls and ``client``."""
    calls = []
    while (
        isinstance(receiver, cst.Call)
        and isinstance(receiver.func, cst.Attribute)
        and receiver.func.attr.value in CLIENT_FACTORIES
    ):
        calls.append(receiver)
        receiver = receiver.func.value
    return calls, receiver


def _last_name(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return node.value if isinstance(node, cst.Name) else ""


def _client_constructor(value: Optional[cst.CSTNode]) -> Optional[cst.Call]:
    """``OpenAI(...)``, also as the first argument of the shim's ``wrap(...)``."""
    if not isinstance(value, cst.Call):
        return None
    name = _last_name(value.func)
    if name in CLIENT_CLASSES:
        return value
    if name == "wrap" and value.args and value.args[0].keyword is None:
        return _client_constructor(value.args[0].value)
    return None


def _is_generator(function: cst.FunctionDef) -> bool:
    """Whether ``yield`` occurs in the function itself (not in a nested function or lambda)."""
    finder = _YieldFinder()
    visit_tree(function.body, finder)
    return finder.found


class _YieldFinder(Visitor):
    unvisited = TRIVIA

    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Yield):
            self.found = True
        return not self.found and not isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef))


# -- the file ---------------------------------------------------------------------------------------


class _Tree:
    """The parsed file with parents, positions, clients and imports, and the edits it can take."""

    def __init__(
        self,
        source: SourceText,
        module: cst.Module,
        positions: Mapping[cst.CSTNode, CodeRange],
        call_sites: Sequence[cst.CSTNode],
        parents: Optional[Mapping[cst.CSTNode, cst.CSTNode]] = None,
    ):
        self.source = source
        self.module = module
        self.positions = positions
        if parents is None:
            collector = _AncestorParents(positions, call_sites)
            visit_tree(module, collector)
            parents = collector.parents
        self.parents = parents
        self._clients: Optional[Dict[str, List[cst.Call]]] = None

    def span(self, node: cst.CSTNode) -> Tuple[int, int]:
        return node_span(self.source, self.positions, node)

    def code(self, node: cst.CSTNode) -> str:
        start, end = self.span(node)
        return self.source.text[start:end]

    def is_generator(self, function: cst.FunctionDef) -> bool:
        """Whether ``yield`` occurs in the function itself: never where its text has no
        ``yield`` (most functions: no walk of the body)."""
        return "yield" in self.code(function) and _is_generator(function)

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        while node in self.parents:
            node = self.parents[node]
            yield node

    # -- clients ------------------------------------------------------------------------------------

    def clients_for(self, receiver: Optional[cst.CSTNode]) -> List[cst.Call]:
        """The ``OpenAI(...)`` calls the receiver may refer to: itself, or those assigned in this
        file to the same dotted name (``client``, ``self.client``)."""
        constructor = _client_constructor(receiver)
        if constructor is not None:
            return [constructor]
        name = dotted_name(receiver)
        return list(self.client_assignments().get(name, ())) if name else []

    def client_assignments(self) -> Dict[str, List[cst.Call]]:
        if self._clients is None:
            collector = _ClientAssignments()
            visit_tree(self.module, collector)
            self._clients = collector.found
        return self._clients

    # -- imports ------------------------------------------------------------------------------------

    def top_level_imports(self) -> Iterator[cst.BaseSmallStatement]:
        for statement in self.module.body:
            if isinstance(statement, cst.SimpleStatementLine):
                yield from (s for s in statement.body if isinstance(s, (cst.Import, cst.ImportFrom)))

    def binds_module(self, name: str) -> bool:
        """Whether a top-level ``import name`` (or ``import name.sub``) makes ``name`` usable."""
        return any(
            isinstance(s, cst.Import)
            and any(a.asname is None and (dotted_name(a.name) or "").split(".")[0] == name for a in s.names)
            for s in self.top_level_imports()
        )

    def imports_module(self, name: str) -> bool:
        """``import name`` or ``from name import ...`` at the top of the file."""
        return self.binds_module(name) or any(
            isinstance(s, cst.ImportFrom) and not s.relative and s.module is not None and dotted_name(s.module) == name
            for s in self.top_level_imports()
        )

    def binds_name(self, name: str) -> bool:
        """Whether a top-level ``from ... import`` already binds ``name`` (say a vendored shim's)."""
        for statement in self.top_level_imports():
            if isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar):
                bound = (a.asname.name if a.asname else a.name for a in statement.names)
                if any(isinstance(b, cst.Name) and b.value == name for b in bound):
                    return True
        return False

    def import_anchor(self) -> Optional[cst.CSTNode]:
        """The last statement of the file's header: docstring, ``__future__`` and leading imports."""
        anchor = None
        for index, statement in enumerate(self.module.body):
            if not isinstance(statement, cst.SimpleStatementLine):
                break
            is_docstring = index == 0 and len(statement.body) == 1 and isinstance(statement.body[0], cst.Expr) and (
                isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
            )
            if not is_docstring and not all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body):
                break
            anchor = statement
        return anchor

    def import_insertions(self, lines: Sequence[str]) -> Tuple[Insertion, ...]:
        """``lines`` at the end of the header's last line, so never where the id fix puts
        ``import os`` (the start of the next line); without a header, before the first statement."""
        if not lines:
            return ()
        newline = self.source.newline()
        anchor = self.import_anchor()
        first_line = self.positions[anchor].end.line + 1 if anchor is not None else self.first_line(self.module.body[0])
        if first_line > 1:
            offset = self.source.line_start(first_line - 1) + len(self.source.line_text(first_line - 1))
            return (Insertion(offset, "".join(newline + line for line in lines)),)
        return (Insertion(0, "".join(line + newline for line in lines), _token_length(self.source.text, 0)),)

    def first_line(self, statement: cst.CSTNode) -> int:
        """A statement's first line, decorators included (a def's position starts at ``def``)."""
        decorators = getattr(statement, "decorators", ())
        return self.positions[decorators[0] if decorators else statement].start.line

    # -- edits ----------------------------------------------------------------------------------------

    def decorator_insertion(self, function: cst.FunctionDef, decorator: str) -> Insertion:
        """``decorator`` as the innermost one, right before ``def``: outer decorators such as a
        route registration then see the retrying function."""
        start, _ = self.span(function)
        line_start = self.source.line_start(self.positions[function].start.line)
        indent = self.source.text[line_start:start]
        newline = self.source.newline()
        text = "".join(line + newline + indent for line in decorator.splitlines())
        return Insertion(start, text, _token_length(self.source.text, start))

    def closing_paren(self, call: cst.Call) -> Optional[int]:
        """The offset of the call's own ``)``: past the last argument, only blanks and comments
        come before it (parentheses around the call are part of its node, so not its end)."""
        text = self.source.text
        if call.args:
            last = call.args[-1]
            position = self.span(last.comma if isinstance(last.comma, cst.Comma) else last)[1]
        else:
            position = text.find("(", self.span(call.func)[1]) + 1
        position = _BLANKS.match(text, position).end()
        return position if text.startswith(")", position) else None

    def argument_insertion(self, call: cst.Call, text: str) -> Optional[Insertion]:
        """Insert a keyword argument after the last one, in the call's own layout."""
        closer = self.closing_paren(call)
        if closer is None:
            return None
        offset, inserted = item_insertion(self.source, self.span, call.args[-1] if call.args else None, closer, text)
        return Insertion(offset, inserted)


class _AncestorParents(Visitor):
    """The parent of every node that encloses a target, and of its children: what walking up
    from a target needs, without visiting the rest of the file (ParentNodeProvider is ~3x
    slower than a plain visit of everything)."""

    def __init__(self, positions: Mapping[cst.CSTNode, CodeRange], targets: Sequence[cst.CSTNode]):
        super().__init__()
        self.positions = positions
        self.targets = [_bounds(positions[t]) for t in targets]
        self.parents: Dict[cst.CSTNode, cst.CSTNode] = {}
        self.stack: List[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.stack:
            self.parents[node] = self.stack[-1]
        self.stack.append(node)
        code_range = self.positions.get(node)
        if code_range is None:
            return True
        start, end = _bounds(code_range)
        return any(start <= t_start and t_end <= end for t_start, t_end in self.targets)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()


def _bounds(code_range: CodeRange) -> Tuple[Tuple[int, int], Tuple[int, int]]:
    return (code_range.start.line, code_range.start.column), (code_range.end.line, code_range.end.column)


class _ClientAssignments(Visitor):
    """Dotted target name -> client constructor calls assigned to it, in source order. Walks
    statements only: an assignment is never inside an expression (walrus aside)."""

    unvisited = TRIVIA

    def __init__(self) -> None:
        super().__init__()
        self.found: Dict[str, List[cst.Call]] = {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.SimpleStatementLine):
            for statement in node.body:
                if isinstance(statement, cst.Assign):
                    for target in statement.targets:
                        self.record(target.target, statement.value)
                elif isinstance(statement, cst.AnnAssign):
                    self.record(statement.target, statement.value)
            return False
        return not isinstance(node, cst.BaseExpression)

    def record(self, target: cst.BaseExpression, value: Optional[cst.BaseExpression]) -> None:
        name = dotted_name(target)
        constructor = _client_constructor(value)
        if name and constructor is not None:
            self.found.setdefault(name, []).append(constructor)


# -- what the project depends on ----------------------------------------------------------------------

PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")


def project_declares(display_path: str, package: str) -> bool:
    """Whether the project holding the file declares ``package`` as a dependency: in
    ``requirements*.txt`` of any folder from the file's up to the project root (the nearest
    folder with pyproject.toml, setup.cfg, setup.py or .git), or in that root's pyproject.toml
    (``[project] dependencies``, Poetry's dependencies) or setup.cfg (``install_requires``)."""
    path = Path(display_path)
    folder = path.parent if path.name else Path.cwd()
    return _folder_declares(folder.resolve(), _normalize(package))


@lru_cache(maxsize=4096)
def _folder_declares(folder: Path, package: str) -> bool:
    """One folder, then its parent's answer: each folder is read once, however many files
    below it ask."""
    if any(package in _requirement_names(_lines(p)) for p in _requirements_files(folder)):
        return True
    if any((folder / marker).exists() for marker in PROJECT_MARKERS):
        return package in _pyproject_dependencies(folder / "pyproject.toml") | _setup_cfg_dependencies(folder / "setup.cfg")
    return folder.parent != folder and _folder_declares(folder.parent, package)


def _requirements_files(folder: Path) -> List[Path]:
    """``requirements*.txt`` in a folder, by name (what ``folder.glob`` gives, without its cost)."""
    try:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries if e.name.startswith("requirements") and e.name.endswith(".txt")]
    except OSError:  # gone, or no permission to list it
        return []
    return [folder / name for name in sorted(names) if len(name) >= len("requirements.txt")]


def _lines(path: Path) -> List[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:  # a folder named like a file, no permission: not a declaration
        return []


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_names(specs: Sequence[str]) -> set:
    """Project names of PEP 508 requirement lines; comments, options and blanks skipped."""
    names = set()
    for spec in specs:
        m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec.split("#", 1)[0])
        if m:
            names.add(_normalize(m.group(1)))
    return names


def _pyproject_dependencies(path: Path) -> set:
    if not path.is_file():
        return set()
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return set()
    project = data.get("project") or {}
    poetry = ((data.get("tool") or {}).get("poetry") or {}).get("dependencies") or {}
    return _requirement_names(list(project.get("dependencies") or [])) | {_normalize(n) for n in poetry}


def _setup_cfg_dependencies(path: Path) -> set:
    if not path.is_file():
        return set()
    import configparser  # only for a project with a setup.cfg: not on every run's start-up path

    parser = configparser.ConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error:
        return set()
    return _requirement_names(parser.get("options", "install_requires", fallback="").splitlines())

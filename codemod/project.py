"""Project-wide facts for Python: which module defines which retired-id constant, and who
imports it.

A run has two phases. While the files that hold ids stream past, the module-level constants
bound to a retired id are indexed (``exports_in``: a line pattern on bytes already read, no
parse). Then the files that use those names are found (``git grep -w`` in a work tree; the
Python files read anyway elsewhere) and each definer is scanned together with the files that
import from it, as one ``Component``: the constant's rewrite and the thinking mode added at the
requests that send it are one fix, applied to every file of the group or to none. The cost is
proportional to the files involved: nothing else is read or parsed."""

from __future__ import annotations

import bisect
import itertools
import os
import posixpath
import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from codemod.catalog import Catalog, RetiredModel
from codemod.discovery import Candidate
from codemod.scanners._origins import MIGRATED, RETIRED, Facts, Origin

# NAME = "deepseek-chat"  /  NAME: str = os.getenv("X", "deepseek-chat")
_LITERAL = re.compile(r"""^(?:[rRuU]?)(['"])([^'"\\\n]*)\1""")
_GETENV = re.compile(r"""^(?:os\.)?(?:getenv|environ\.get)\(\s*(['"])(\w+)\1\s*,\s*(['"])([^'"\\\n]*)\3\s*\)""")
_IMPORT = re.compile(r"(?m)^[ \t]*(?:from[ \t]+([.\w]+)[ \t]+import\b|import[ \t]+([\w.]+))")
# from "./config.js"  /  require("../shared/config")  /  import("./config")
_JS_IMPORT = re.compile(r"""(?:\bfrom|\brequire\(|\bimport\(?)[ \t]*["']([^"'\n]+)["']""")


@dataclass(frozen=True)
class Export:
    """A module-level name bound to a retired id (or to this tool's rewrite of one)."""

    path: str  # display path of the defining file
    name: str
    model: RetiredModel
    kind: str  # RETIRED or MIGRATED
    line: int
    env: bool = False  # an environment variable a .env, compose or YAML file sets, not a Python name
    table: bool = False  # a dict literal of the module is keyed by the id (``name``: its module's last part)
    js: bool = False  # a JavaScript/TypeScript module's `export const`
    provider: bool = False  # ...bound to an AI SDK provider's model of the id: `deepseek("deepseek-chat")`
    # a parameter's default (``def ask(prompt, model="deepseek-chat")``): ``name`` is the function,
    # ``Class`` for its constructor, ``Class.method`` for a method; importers' calls may pass another
    param: str = ""
    default_export: bool = False  # a JavaScript module's default export is that function (or class)

    @property
    def key(self) -> str:
        return f"{self.path}:{self.name}"

    @property
    def legacy_id(self) -> str:
        return self.model.id

    @property
    def module(self) -> Tuple[str, ...]:
        return module_parts(self.path)


def _primary_only(exports: List[Export]) -> List[Export]:
    """The exports that carry a thinking mode to the requests that read them: DeepSeek's ids.
    Another provider's id is rewritten where it is, never followed."""
    return [export for export in exports if export.model.is_primary]


def module_parts(display_path: str) -> Tuple[str, ...]:
    """``("app", "settings")`` for ``app/settings.py``; a package's ``__init__.py`` is the package."""
    parts = [p for p in display_path.split("/") if p not in ("", ".", "..")]
    if not parts:
        return ()
    last = parts[-1].rsplit(".", 1)[0]
    return tuple(parts[:-1]) if last == "__init__" else tuple(parts[:-1] + [last])


_CLASS = re.compile(rb"(?m)^class[ \t]+([A-Za-z_][A-Za-z0-9_]*)")
_DEF = re.compile(rb"(?m)^([ \t]*)(?:async[ \t]+)?def[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*\(")
# what comes before a quoted default in a signature: `model: str = ` after `(`, `,` or a line start
_BEFORE_DEFAULT = re.compile(rb"(?m)(?:^|[(,])[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?::[^=\n,(]*)?=[ \t]*[rRuU]?$")
_TABLE_KEY = re.compile(rb"""[ \t]*:""")  # after a quoted id: "deepseek-chat": 0.27
DEFAULT_WINDOW = 256  # how far before a quoted id its parameter's name and annotation are looked for
# the statement at the start of a line: its indentation, its target, its value
_LINE_ASSIGNMENT = re.compile(r"([ \t]*)([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?::[^=\n]*)?=[ \t]*(.*)")


def exports_in(raw: bytes, display_path: str, catalog: Catalog) -> List[Export]:
    """The module-level constants of a Python file that are bound to a retired id (or to this
    tool's rewrite of one), the attributes (dataclass fields) of its top-level classes as
    ``Class.attr``, and the ids its dict literals are keyed by. Only the lines that hold an id
    or a rewrite are looked at: this runs on every Python file that holds one."""
    found: List[Export] = []
    tables: Set[str] = set()  # the ids a dict literal is keyed by, one Export each
    classes: Optional[List[Tuple[int, str]]] = None
    signatures = _Signatures(raw)
    line_of = _LineNumbers(raw)
    for match, line_start, line in _id_lines(raw, catalog):
        default = signatures.default_at(match.start() - 1, line_start)
        if default is not None:
            model = _whole_string_id(raw, match, catalog)
            if model is not None:
                found.append(Export(display_path, default[0], model, RETIRED, line_of(line_start), param=default[1]))
            continue
        if _TABLE_KEY.match(raw, match.end() + 1) and match.start() > 0 and raw[match.start() - 1:match.start()] in (b'"', b"'"):
            exact = catalog.exact(match.group().decode("utf-8", "replace"))
            parts = module_parts(display_path)
            if exact is not None and parts and exact.model.id not in tables:
                tables.add(exact.model.id)
                found.append(Export(display_path, parts[-1], exact.model, RETIRED, line_of(line_start), table=True))
        if line is None:
            continue
        assignment = _LINE_ASSIGNMENT.fullmatch(line)
        if assignment is None:
            continue
        indent, name, value = assignment.groups()
        if indent:  # a class body's own line (four spaces or a tab), not a method's
            if indent not in ("    ", "\t"):
                continue
            if classes is None:
                classes = [(m.start(), m.group(1).decode("ascii")) for m in _CLASS.finditer(raw)]
            owner = bisect.bisect_left(classes, (line_start,))  # the classes that start above the line
            if not owner:
                continue
            name = f"{classes[owner - 1][1]}.{name}"
        model_kind = _bound_model(value, catalog)
        if model_kind is not None:
            found.append(Export(display_path, name, model_kind[0], model_kind[1], line_of(line_start)))
    return _primary_only(found)


def _id_lines(raw: bytes, catalog: Catalog) -> Iterator[Tuple["re.Match[bytes]", int, Optional[str]]]:
    """Each match of the catalog's prefilter, with where its line starts and the line (decoded;
    None for a line met before, or one that is not UTF-8)."""
    seen: Set[int] = set()
    for match in catalog.prefilter_re.finditer(raw):
        line_start = raw.rfind(b"\n", 0, match.start()) + 1
        if line_start in seen:
            yield match, line_start, None
            continue
        seen.add(line_start)
        line_end = raw.find(b"\n", line_start)
        try:
            yield match, line_start, raw[line_start:line_end if line_end >= 0 else len(raw)].decode("utf-8").rstrip("\r")
        except UnicodeDecodeError:
            yield match, line_start, None


def _whole_string_id(raw: bytes, match: "re.Match[bytes]", catalog: Catalog) -> Optional[RetiredModel]:
    """The retired model of a prefilter match that is a whole quoted string (a default's value)."""
    exact = catalog.exact(match.group().decode("utf-8", "replace"))
    closed = raw[match.end():match.end() + 1] == raw[match.start() - 1:match.start()]
    return exact.model if exact is not None and closed else None


class _Signatures:
    """Where a quoted id is a parameter's default: in the signature of a module-level function
    or of a method of a top-level class (found by lines, without a parse)."""

    def __init__(self, raw: bytes):
        self.raw = raw
        self._classes: Optional[List[Tuple[int, str]]] = None
        self._asked, self._nearest = 0, None  # the last offset ``nearest_def`` was asked, its answer

    def default_at(self, quote: int, line_start: int) -> Optional[Tuple[str, str]]:
        """(the function's export name, the parameter) when the string at ``quote`` is a default."""
        if self.raw[quote:quote + 1] not in (b'"', b"'"):
            return None
        # (a keyword argument, `create(model=`, matches too); a window before the quote, not the whole
        # line: a line of thousands of ids would be read once per id
        before = _BEFORE_DEFAULT.search(self.raw, max(line_start, quote - DEFAULT_WINDOW), quote)
        if before is None:
            return None
        header = self.nearest_def(quote)
        if header is None or not _still_open(self.raw, header.end() - 1, quote):
            return None
        start, indent, name = header.start(), header.group(1), header.group(2).decode("ascii")
        param = before.group(1).decode("ascii")
        if not indent:
            return name, param
        if indent not in (b"    ", b"\t"):
            return None
        if self._classes is None:
            self._classes = [(m.start(), m.group(1).decode("ascii")) for m in _CLASS.finditer(self.raw)]
        owner = bisect.bisect_left(self._classes, (start,))
        if not owner:
            return None
        cls = self._classes[owner - 1][1]
        return (cls if name == "__init__" else f"{cls}.{name}"), param

    def nearest_def(self, offset: int) -> Optional["re.Match[bytes]"]:
        """The last `def` line that starts before ``offset``: searched back from it, since nearly
        every id is a call's keyword argument a few lines into a function, not a default; and
        no further back than the offset asked before (ids come in order), whose answer holds
        when nothing is found after it."""
        raw, end = self.raw, offset
        floor = self._asked if self._asked <= offset else 0
        while True:
            found = raw.rfind(b"def", floor, end)
            if found < 0:
                header = self._nearest if floor else None
                break
            header = _DEF.match(raw, raw.rfind(b"\n", 0, found) + 1)
            if header is not None:
                break
            end = found
        self._asked, self._nearest = offset, header
        return header if header is not None and header.end() <= offset else None


def _still_open(raw: bytes, opening: int, offset: int, quotes: bytes = b"'\"", comment: bytes = b"#") -> bool:
    """Whether the bracket at ``opening`` is still open at ``offset`` (strings and comments skipped)."""
    return _bracket_end(raw, opening, offset, quotes, comment) is None


def _bracket_end(raw: bytes, opening: int, limit: int, quotes: bytes = b"'\"", comment: bytes = b"#") -> Optional[int]:
    """Where the bracket at ``opening`` closes, before ``limit``; None when it is still open there,
    -1 when a string is (strings and comments are skipped)."""
    depth, index = 0, opening
    while index < limit:
        char = raw[index:index + 1]
        if char in b"([{":
            depth += 1
        elif char in b")]}":
            depth -= 1
            if not depth:
                return index
        elif char in quotes:
            end = raw.find(char, index + 1, limit)
            if end < 0:
                return -1
            index = end
        elif raw.startswith(comment, index):
            index = raw.find(b"\n", index, limit)
            if index < 0:
                return None
        index += 1
    return None if depth > 0 else -1


class _LineNumbers:
    """The 1-based line of an offset, for offsets asked in increasing order: counted from the
    last one asked, so a file with thousands of ids is read once, not once per id."""

    def __init__(self, raw: bytes):
        self.raw = raw
        self.offset, self.line = 0, 1

    def __call__(self, offset: int) -> int:
        if offset < self.offset:
            self.offset, self.line = 0, 1
        self.line += self.raw.count(b"\n", self.offset, offset)
        self.offset = offset
        return self.line


def _bound_model(value: str, catalog: Catalog) -> Optional[Tuple[RetiredModel, str]]:
    """The retired model an assigned value is (a literal), or defaults to (``os.getenv``), or
    is this tool's rewrite of; None otherwise."""
    literal = _LITERAL.match(value)
    if literal is not None:
        exact = catalog.exact(literal.group(2))  # `deepseek/deepseek-chat` too: LiteLLM's requests send it
        return (exact.model, RETIRED) if exact is not None else None
    getenv = _GETENV.match(value)
    if getenv is None:
        return None
    exact = catalog.exact(getenv.group(4))
    if exact is not None and not exact.prefix:
        return exact.model, RETIRED
    model = next((m for m in catalog.retired.values() if m.env_var == getenv.group(2) and getenv.group(4) == m.replacement), None)
    return (model, MIGRATED) if model is not None else None


# VAR=id (.env, a compose list entry `- VAR=id`) or VAR: id (a YAML environment mapping)
_ENV_ASSIGNMENT = re.compile(
    rb"""(?m)^[ \t]*(?:export[ \t]+|-[ \t]+)?["']?([A-Z][A-Z0-9_]*)["']?[ \t]*[=:][ \t]*["']?([^\s"'#]+)["']?[ \t]*(?:#.*)?\r?$""")


def env_exports_in(raw: bytes, display_path: str, catalog: Catalog) -> List[Export]:
    """The environment variables an env file (``.env``, docker compose, YAML) sets to a retired
    id: a Python file that reads one sends that id."""
    found: List[Export] = []
    line_of = _LineNumbers(raw)
    for match in _ENV_ASSIGNMENT.finditer(raw):
        try:
            exact = catalog.exact(match.group(2).decode("utf-8"))
        except UnicodeDecodeError:
            continue
        if exact is not None and not exact.prefix:
            found.append(Export(display_path, match.group(1).decode("ascii"), exact.model, RETIRED, line_of(match.start()), env=True))
    return _primary_only(found)


# export const NAME = "id"  /  export const NAME: string = process.env.X ?? "id"  (and `let`, `var`)
_JS_EXPORT = re.compile(
    r"""^[ \t]*export[ \t]+(?:const|let|var)[ \t]+([A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]*)?=[ \t]*"""
    r"""(?:(?:process\.env|import\.meta\.env)\.(\w+)[ \t]*(?:\?\?|\|\|)[ \t]*)?"""
    r"""(?P<provider>[A-Za-z_$][\w$.]*[ \t]*\([ \t]*)?(["'`])([^"'`\\\n]*)\4""")
JS_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".vue", ".svelte")


def js_exports_in(raw: bytes, display_path: str, catalog: Catalog) -> List[Export]:
    """The `export const` bindings of a JavaScript/TypeScript module that hold a retired id, its
    env default, or this tool's rewrite of one (`process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash"`),
    and the functions at the top of the module with a retired id as a parameter's default.
    Only the lines that hold an id or a rewrite are looked at."""
    found: List[Export] = []
    line_of = _LineNumbers(raw)
    signatures = _JsSignatures(raw)
    for match, line_start, line in _id_lines(raw, catalog):
        default = signatures.default_at(match.start() - 1, line_start)
        if default is not None:
            model = _whole_string_id(raw, match, catalog)
            if model is not None:
                name, param = default
                found.append(Export(display_path, name, model, RETIRED, line_of(line_start), js=True, param=param,
                                    default_export=signatures.is_default_export(name)))
            continue
        export = _JS_EXPORT.match(line) if line is not None else None
        if export is None:
            continue
        name, variable, provider, _, value = export.groups()
        exact = catalog.exact(value)
        if exact is not None:
            found.append(Export(display_path, name, exact.model, RETIRED, line_of(line_start), js=True, provider=bool(provider)))
            continue
        if provider:
            continue
        model = next((m for m in catalog.retired.values()
                      if variable in (m.env_var, "VITE_" + m.env_var) and value == m.replacement), None)
        if model is not None:
            found.append(Export(display_path, name, model, MIGRATED, line_of(line_start), js=True))
    return _primary_only(found)


_JS_NAME = rb"[A-Za-z_$][\w$]*"
# the signatures of a module's top-level functions, by lines: `export async function ask(`,
# `export const ask = async (`, a class, and a member of a class (`  constructor(`, `  async reply(`)
_JS_FUNCTION = re.compile(rb"(?m)^(?:export[ \t]+(default[ \t]+)?)?(?:async[ \t]+)?function[ \t]*\*?[ \t]*(" + _JS_NAME
                          + rb")[ \t]*(?:<[^>\n]*>)?[ \t]*\(")
_JS_ARROW = re.compile(rb"(?m)^(?:export[ \t]+)?(?:const|let|var)[ \t]+(" + _JS_NAME
                       + rb")[ \t]*(?::[^=\n]*)?=[ \t]*(?:async[ \t]+)?(?:function\b[^(\n]*)?\(")
_JS_CLASS = re.compile(rb"(?m)^(?:export[ \t]+(default[ \t]+)?)?(?:abstract[ \t]+)?class[ \t]+(" + _JS_NAME + rb")")
_JS_OBJECT = re.compile(rb"(?m)^(?:export[ \t]+)?(?:const|let|var)[ \t]+(" + _JS_NAME + rb")[ \t]*(?::[^=\n]*)?=[ \t]*\{[ \t]*\r?$")
# a member: `  async reply(`, `  constructor(`; of an object, also `  reply: async (`
_JS_MEMBER = re.compile(rb"(?m)^(?:  |    |\t)(?:(?:public|private|protected|static|async|override)[ \t]+)*\*?(" + _JS_NAME
                        + rb")[ \t]*(?:<[^>\n]*>)?[ \t]*(\(|:[ \t]*(?:async[ \t]+)?(?:function\b[^(\n]*)?\()")
_JS_NOT_MEMBERS = frozenset([b"if", b"for", b"while", b"switch", b"catch", b"function", b"return", b"super", b"await"])
_JS_TOP_LINE = re.compile(rb"(?m)^[^ \t\r\n]")
# what comes before a quoted default: `model = `, `model: string = `, `model = process.env.X ?? `
_JS_BEFORE_DEFAULT = re.compile(rb"(?m)(?:^|[(,{])[ \t]*(" + _JS_NAME + rb")[ \t]*(?::[^=\n,(]*)?=[ \t]*"
                                rb"(?:(?:process\.env|import\.meta\.env)\.\w+[ \t]*(?:\?\?|\|\|)[ \t]*)?$")
# a body's destructuring of a parameter, on one line: `  const { model = "deepseek-chat" } = config;`
_JS_DESTRUCTURED = re.compile(rb"[ \t]+(?:const|let|var)[ \t]*\{[^}\n]*\}[ \t]*=[ \t]*(" + _JS_NAME + rb")[ \t]*;?[ \t]*\r?$", re.M)
_JS_DEFAULT_EXPORT = re.compile(rb"(?m)^(?:module\.exports[ \t]*=|export[ \t]+default)[ \t]+(" + _JS_NAME + rb")[ \t]*;?[ \t]*\r?$")


class _JsSignatures:
    """Where a quoted id is a parameter's default in a JavaScript/TypeScript module's top-level
    function or a member of its top-level class, found by lines (the scan's tree says the same)."""

    def __init__(self, raw: bytes):
        self.raw = raw
        self._headers: Optional[List[Tuple[int, int, str]]] = None  # (start, opening bracket, export name)
        self._defaults: Optional[Set[str]] = None

    def headers(self) -> List[Tuple[int, int, str]]:
        if self._headers is None:
            raw = self.raw
            headers = [(m.start(), m.end() - 1, m.group(2).decode("ascii")) for m in _JS_FUNCTION.finditer(raw)]
            headers += [(m.start(), m.end() - 1, m.group(1).decode("ascii")) for m in _JS_ARROW.finditer(raw)]
            owners = sorted([(m.start(), m.group(2).decode("ascii"), True) for m in _JS_CLASS.finditer(raw)]
                            + [(m.start(), m.group(1).decode("ascii"), False) for m in _JS_OBJECT.finditer(raw)])
            top_lines = [m.start() for m in _JS_TOP_LINE.finditer(raw)]
            for m in _JS_MEMBER.finditer(raw) if owners else ():
                name, pair = m.group(1), m.group(2) != b"("
                top = bisect.bisect_left(top_lines, m.start())
                index = bisect.bisect_left(owners, (m.start(),))
                # a member's class (or object) is the top-level line above it (a comment at column 0 hides it)
                if name in _JS_NOT_MEMBERS or not top or not index or owners[index - 1][0] != top_lines[top - 1]:
                    continue
                _, owner, is_class = owners[index - 1]
                if is_class and pair:
                    continue  # a field holding a function: not called as a method of the class's instances here
                method = owner if is_class and name == b"constructor" else f"{owner}.{name.decode('ascii')}"
                headers.append((m.start(), m.end() - 1, method))
            headers.sort()
            self._headers = headers
        return self._headers

    def default_at(self, quote: int, line_start: int) -> Optional[Tuple[str, str]]:
        """(the function's export name, the parameter) when the string at ``quote`` is a default."""
        if self.raw[quote:quote + 1] not in (b'"', b"'", b"`"):
            return None
        before = _JS_BEFORE_DEFAULT.search(self.raw, max(line_start, quote - DEFAULT_WINDOW), quote)
        if before is None:
            return None
        headers = self.headers()
        index = bisect.bisect_left(headers, (quote,))
        if not index:
            return None
        _, opening, name = headers[index - 1]
        close = _bracket_end(self.raw, opening, quote, b"'\"`", b"//")
        if close is None:
            return name, before.group(1).decode("ascii")
        read = _JS_DESTRUCTURED.match(self.raw, line_start)
        if close < 0 or read is None or not re.search(rb"\b%s\b" % re.escape(read.group(1)), self.raw[opening:close]):
            return None
        body = self.raw.find(b"{", close, quote)  # `) {`, `) => {`
        if body < 0 or _bracket_end(self.raw, body, quote, b"'\"`", b"//") is not None:
            return None
        return name, before.group(1).decode("ascii")  # `const { model = "..." } = config`, config a parameter

    def is_default_export(self, name: str) -> bool:
        """Whether the module's default export is this function, or this constructor's class."""
        if self._defaults is None:
            raw = self.raw
            self._defaults = {m.group(1).decode("ascii") for m in _JS_DEFAULT_EXPORT.finditer(raw)}
            self._defaults |= {m.group(2).decode("ascii") for m in _JS_FUNCTION.finditer(raw) if m.group(1)}
            self._defaults |= {m.group(2).decode("ascii") for m in _JS_CLASS.finditer(raw) if m.group(1)}
        return name in self._defaults


def js_module_key(display_path: str) -> str:
    """`src/config` for `src/config.ts`: what an import names, without the extension."""
    path = display_path.replace("\\", "/")
    for suffix in JS_SUFFIXES:
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return path


def is_test_path(path: str) -> bool:
    """``test_*.py``, ``*_test.py``, ``conftest.py``, ``*.test.ts``, ``*.spec.js``, or a file under
    ``tests/``, ``test/`` or ``__tests__/``."""
    parts = path.replace("\\", "/").split("/")
    name = parts[-1]
    stem = name.rsplit(".", 1)[0]
    return (stem.startswith("test_") or stem.endswith("_test") or stem == "conftest" or ".test." in name or ".spec." in name
            or any(p in ("tests", "test", "__tests__") for p in parts[:-1]))


def imported_modules(text: str, javascript: bool = False) -> Set[str]:
    """The last part of every module a file imports from (``settings`` for ``from app.settings import X``,
    and for ``from app import settings`` the names are checked by the scan); a JavaScript file's
    by its imports and requires."""
    modules: Set[str] = set()
    if not javascript:
        for match in _IMPORT.finditer(text):
            name = match.group(1) or match.group(2) or ""
            modules.update(part for part in name.split(".") if part)
        return modules
    for match in _JS_IMPORT.finditer(text):  # a JS module is named by its file: `./config.js` is `config`
        parts = [p for p in js_module_key(match.group(1)).split("/") if p not in ("", ".", "..")]
        if parts and parts[-1] == "index":
            parts.pop()
        if parts:
            modules.add(parts[-1])
    return modules


_FACTS_MADE = itertools.count()
_RECEIVED_FACTS: Dict[str, "ProjectFacts"] = {}  # in a worker: the run's facts, by token


def _received_facts(token: str, payload: bytes) -> "ProjectFacts":
    facts = _RECEIVED_FACTS.get(token)
    if facts is None:
        facts = ProjectFacts.__new__(ProjectFacts)
        import pickle  # a worker's, once

        facts.__dict__.update(pickle.loads(payload))
        facts._payload = payload
        _RECEIVED_FACTS.clear()  # one run's facts at a time
        _RECEIVED_FACTS[token] = facts
    return facts


class ProjectFacts:
    """The exports of a run, and what one file's scan may ask of them."""

    def __init__(self, exports: Sequence[Export]):
        self.by_module: Dict[Tuple[str, ...], Dict[str, Export]] = {}
        self.env: Dict[str, List[Export]] = {}  # variable -> where env files set it to a retired id
        self.tables: Dict[Tuple[str, ...], Dict[str, Export]] = {}  # module -> ids its dicts are keyed by
        self.js_modules: Dict[str, Dict[str, Export]] = {}  # "src/config" -> its exports
        self.functions: Dict[Tuple[str, ...], Dict[str, Export]] = {}  # module -> its functions with an id default
        self.js_functions: Dict[str, Dict[str, Export]] = {}  # "src/llm" -> its functions with an id default
        for export in exports:
            if export.param and export.js:
                functions = self.js_functions.setdefault(js_module_key(export.path), {})
                functions[export.name] = export
                if export.default_export:
                    functions["default"] = export
            elif export.param:
                self.functions.setdefault(export.module, {})[export.name] = export
            elif export.js:
                self.js_modules.setdefault(js_module_key(export.path), {})[export.name] = export
            elif export.env:
                self.env.setdefault(export.name, []).append(export)
            elif export.table:
                self.tables.setdefault(export.module, {})[export.legacy_id] = export
            else:
                self.by_module.setdefault(export.module, {})[export.name] = export
        self.function_names = frozenset(name.rpartition(".")[2] for names in self.functions.values() for name in names)
        self.js_function_names = frozenset(name.rpartition(".")[2] for names in self.js_functions.values() for name in names)
        self.function_definers = {e.path for known in (self.functions, self.js_functions) for names in known.values() for e in names.values()}
        self.frozen_names = frozenset(self.names)
        self.keys = frozenset(export.key for export in exports)  # the groups the facts make
        self.lines = {(export.path, export.line): export.key for export in exports}  # where each is set
        self._token = f"{os.getpid()}-{next(_FACTS_MADE)}"
        self._payload: Optional[bytes] = None

    def __reduce__(self):
        """Every component of a run carries the same facts to a worker: pickled once here, and
        unpickled once per worker (``_received_facts``), not once per component (on the 5% tree
        that was 160 MB and seconds of CPU for 1,000 tasks)."""
        if self._payload is None:
            state = {k: v for k, v in self.__dict__.items() if k != "_payload"}
            import pickle  # only where components go to a pool

            self._payload = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        return _received_facts, (self._token, self._payload)

    @property
    def names(self) -> Set[str]:
        tables = {module[-1] for module in self.tables}  # their importers name the module
        js = {name for names in self.js_modules.values() for name in names}
        constants = {name.partition(".")[0] for names in self.by_module.values() for name in names}
        # a function's callers name it (a method: `bot.ask(...)`), a constructor's its class
        functions = {part for known in (self.functions, self.js_functions) for names in known.values() for name in names
                     for part in name.split(".") if known is self.functions or name != "default"}
        return constants | set(self.env) | tables | js | functions

    def env_value(self, variable: str) -> Optional[Export]:
        """Where the project's env files set ``variable``, when they all set it to one retired
        id (then a request that reads it sends that id); None otherwise."""
        exports = self.env.get(variable, [])
        return exports[0] if exports and len({e.model.id for e in exports}) == 1 else None

    def for_file(self, display_path: str, fmt: str = "python") -> Optional[object]:
        """What a file's scan may ask of the facts: for Python and JavaScript files; None otherwise."""
        if fmt == "python":
            return FileFacts(self, module_parts(display_path))
        if fmt == "javascript":
            return JsFileFacts(self, display_path)
        return None

    def module_file(self, importer: Tuple[str, ...], module: str, level: int, known: Dict[Tuple[str, ...], Dict[str, Export]]) -> Optional[Tuple[str, ...]]:
        """The module of ``known`` that an import names, when exactly one does."""
        parts = tuple(p for p in module.split(".") if p)
        if level:
            package = importer[:-1]
            if level > 1:
                package = package[: len(package) - (level - 1)] if len(package) >= level - 1 else ()
            return package + parts if package + parts in known else None
        matches = [key for key in known if len(key) >= len(parts) and key[len(key) - len(parts):] == parts]
        return matches[0] if len(matches) == 1 else None

    def resolve(self, importer: Tuple[str, ...], module: str, name: str, level: int) -> Optional[Export]:
        parts = tuple(p for p in module.split(".") if p)
        if level:
            package = importer[:-1]
            if level > 1:
                package = package[: len(package) - (level - 1)] if len(package) >= level - 1 else ()
            return self.by_module.get(package + parts, {}).get(name)
        # absolute: the modules whose path ends with the import's parts (src/ layouts, sub-projects)
        matches = [names[name] for key, names in self.by_module.items()
                   if name in names and len(key) >= len(parts) and key[len(key) - len(parts):] == parts]
        return matches[0] if len(matches) == 1 else None


class FileFacts(Facts):
    def __init__(self, project: ProjectFacts, importer: Tuple[str, ...]):
        self.project = project
        self.importer = importer

    def value(self, module: str, name: str, level: int) -> Optional[Origin]:
        export = self.project.resolve(self.importer, module, name, level)
        if export is None:
            return None
        return Origin(export.kind, export.model, export=export.key, where=f"{export.path}:{export.line}")

    def table_with(self, module: str, level: int, legacy: str) -> Optional[str]:
        found = self.project.module_file(self.importer, module, level, self.project.tables)
        export = self.project.tables[found].get(legacy) if found is not None else None
        return f"{export.path}:{export.line}" if export is not None else None

    def groups_in(self, module: str, level: int, legacy: str) -> Set[str]:
        found = self.project.module_file(self.importer, module, level, self.project.by_module)
        names = self.project.by_module.get(found, {}) if found is not None else {}
        return {e.key for e in names.values() if e.kind == RETIRED and e.legacy_id == legacy}  # the id, prefix aside

    def env_value(self, variable: str) -> Optional[Origin]:
        export = self.project.env_value(variable)
        if export is None:
            return None
        return Origin(export.kind, export.model, export=export.key, where=f"{export.path}:{export.line}")

    def names(self) -> FrozenSet[str]:
        return self.project.frozen_names

    def function_names(self) -> FrozenSet[str]:
        """The last names of the functions of other modules that have a retired id as a default."""
        return self.project.function_names

    def functions_in(self, module: str, level: int) -> Dict[str, Export]:
        """The functions with an id default of the module an import names (by name)."""
        found = self.project.module_file(self.importer, module, level, self.project.functions)
        return self.project.functions.get(found, {}) if found is not None and found != self.importer else {}


class JsFileFacts:
    """What a JavaScript/TypeScript file may ask: the export of another module it imports."""

    _ALIASES = ("@/", "~/", "#/", "src/")  # path aliases of bundlers and tsconfig `paths`

    def __init__(self, project: ProjectFacts, importer: str):
        self.project = project
        self.importer = importer.replace("\\", "/")

    def imported(self, specifier: str, name: str):
        from codemod.scanners._jsflow import Imported

        export = self.resolve(specifier, name)
        if export is None:
            return None
        return Imported(export.kind, export.model, export.key, f"{export.path}:{export.line}", export.provider)

    def resolve(self, specifier: str, name: str) -> Optional[Export]:
        exports = self.module_of(specifier, name)
        return exports.get(name) if exports is not None else None

    def env_value(self, variable: str):
        from codemod.scanners._jsflow import Imported

        export = self.project.env_value(variable)
        if export is None:
            return None
        return Imported(export.kind, export.model, export.key, f"{export.path}:{export.line}")

    def groups_with(self, specifier: str, legacy: str) -> Set[str]:
        """The groups of the constants of the module ``specifier`` names that hold ``legacy``."""
        exports = self.module_of(specifier)
        return {e.key for e in (exports or {}).values() if e.kind == RETIRED and e.legacy_id == legacy and not e.provider}

    def function_names(self) -> FrozenSet[str]:
        return self.project.js_function_names

    def functions_of(self, specifier: str) -> Dict[str, str]:
        """The functions with an id default of the module an import names: name -> group. An
        import of a folder's barrel (`./providers`, `./providers/index.js`) that defines none may
        re-export its modules' (`module.exports = { DeepSeekProvider }`): theirs are taken."""
        known = self.project.js_functions
        if not known:
            return {}
        functions = self.module_of(specifier, modules=known)
        if functions is None and specifier.startswith("."):
            folder = self.relative_target(specifier)
            folder = folder[: -len("/index")] if folder.endswith("/index") else folder
            functions = {name: export for key, names in known.items() if key.startswith(folder + "/")
                         for name, export in names.items() if name != "default"}
        return {name: export.key for name, export in (functions or {}).items() if export.path != self.importer}

    def relative_target(self, specifier: str) -> str:
        """The module key a relative import names: `app/config` for "./config.js" in `app/main.js`."""
        return posixpath.normpath(posixpath.join(posixpath.dirname(self.importer), js_module_key(specifier)))

    def module_of(self, specifier: str, name: Optional[str] = None,
                  modules: Optional[Dict[str, Dict[str, Export]]] = None) -> Optional[Dict[str, Export]]:
        """The exports of the module an import names (that has ``name``, when given), among the
        project's constants (or ``modules``)."""
        modules = self.project.js_modules if modules is None else modules

        def has(key: str) -> bool:
            return key in modules and (name is None or name in modules[key])

        if specifier.startswith("."):
            target = self.relative_target(specifier)
            return next((modules[key] for key in (target, f"{target}/index") if has(key)), None)
        bare = next((specifier[len(a):] for a in self._ALIASES if specifier.startswith(a)), None)
        if bare is None:
            return None  # a package, not a module of the project
        bare = js_module_key(bare)
        matches = [key for key in modules if has(key) and any(
            key == candidate or key.endswith("/" + candidate) for candidate in (bare, f"{bare}/index"))]
        return modules[matches[0]] if len(matches) == 1 else None


@dataclass
class Component:
    """Files fixed as one: definers and the files that import from them."""

    candidates: List[Candidate]
    facts: ProjectFacts
    definers: Set[str] = field(default_factory=set)  # displays of the files that define exports
    already_processed: Set[str] = field(default_factory=set)  # displays handled alone before
    readers: Set[str] = field(default_factory=set)  # displays of the files that read a definer's names

    @property
    def display(self) -> str:
        return self.candidates[0].display


def components(definers: Sequence[Tuple[Candidate, List[Export]]], consumers: Iterable[Tuple[Candidate, str]],
               facts: ProjectFacts) -> List[Component]:
    """Group the definers with the files that import from them (``consumers``: a candidate and
    its text); a consumer of several definers joins them into one component."""
    parent: Dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    by_display: Dict[str, Candidate] = {}
    last_part: Dict[str, List[str]] = {}  # a module's last name -> definers' displays
    variables: Dict[str, List[str]] = {}  # an env variable -> the env files that set it
    for candidate, exports in definers:
        by_display[candidate.display] = candidate
        find(candidate.display)
        for export in exports:
            if export.env:
                variables.setdefault(export.name, []).append(candidate.display)
        exports = [e for e in exports if not e.env]  # a module's constants and tables
        if exports:
            parts = exports[0].module
            if parts:
                last_part.setdefault(parts[-1], []).append(candidate.display)
                if len(parts) > 1:  # `from app import settings`
                    last_part.setdefault(parts[-2], []).append(candidate.display)
    readers: Set[str] = set()
    for candidate, text in consumers:
        linked = {d for module in imported_modules(text, candidate.display.endswith(JS_SUFFIXES))
                  for d in last_part.get(module, ())}
        linked |= {d for variable, files in variables.items() if variable in text for d in files}
        linked.discard(candidate.display)
        if not linked:
            continue
        readers.add(candidate.display)
        by_display.setdefault(candidate.display, candidate)  # a definer that reads another's
        for definer in linked:
            parent[find(candidate.display)] = find(definer)
    groups: Dict[str, List[Candidate]] = {}
    for display, candidate in by_display.items():
        groups.setdefault(find(display), []).append(candidate)
    definer_displays = {candidate.display for candidate, _ in definers}
    # the importers first: where they send an export decides what its definer's message says
    return [Component(sorted(members, key=lambda c: (c.display in definer_displays, c.display)), facts,
                      definer_displays & {c.display for c in members}, readers=readers & {c.display for c in members})
            for members in groups.values()]

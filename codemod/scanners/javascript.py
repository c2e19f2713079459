"""JavaScript and TypeScript (`.js .mjs .cjs .jsx .ts .mts .cts .tsx`, and the `<script>` blocks
of `.vue` and `.svelte` files), parsed with tree-sitter; fixes are edits of the original text.

* A retired id where it is a value (an object's `model`, an argument, a constant, a default, a
  class field) is DS001 with a safe fix: `process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash"`,
  the quote style kept (`import.meta.env.VITE_…` where the file already reads `import.meta.env`;
  a literal in test files, in Vue/Svelte files that do not, and where a literal is required).
* The thinking mode the id implied goes on every request the value reaches, in the way the
  request's library takes it (``rules/libraries_js.toml``, followed by ``_jsflow``).
* Comparisons and `switch` cases are DS002 with an unsafe fix; object keys, TypeScript literal
  types, enum values and array members are DS002 without one; comments and longer strings DS003.
* Ids that go to a gateway or a client whose base URL is not DeepSeek's are not reported."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Dict, List, Optional, Set, Tuple

from tree_sitter import Node

from codemod import project
from codemod.catalog import PRIMARY_PROVIDER, IdMatch
from codemod.ftypes import BARE_UNSENT, SAFE, UNSAFE, V4_DEFAULT_THINKING, Edit, Finding, ParamDefault, ScanContext, ScanError, SourceText
from codemod.libraries import js_libraries
from codemod.scanners import _common as common
from codemod.scanners import _jstree as tree
from codemod.scanners import _npm
from codemod.scanners._jsflow import UNKNOWN, Flow, Request, importable_name, parameter_of

LINE_COMMENTS = True  # `// v4-migrate: ignore[DS001]`

THINKING_RULE = "DS007"
VALUE, REVIEW, MENTION = "value", "review", "mention"
ENV, LITERAL = "env", "literal"

# Where an `a ?? b` needs no parentheses: the places that take an assignment expression.
_BARE_PARENTS = {
    "pair", "variable_declarator", "arguments", "array", "assignment_expression", "assignment_pattern",
    "object_assignment_pattern", "required_parameter", "optional_parameter", "public_field_definition",
    "field_definition", "return_statement", "parenthesized_expression", "template_substitution",
    "jsx_expression", "spread_element", "arrow_function", "ternary_expression", "export_statement",
}
# A retired id given to one of these is checked against, not sent.
_CHECK_METHODS = {
    "includes", "startsWith", "endsWith", "indexOf", "lastIndexOf", "has", "get", "match", "test",
    "toBe", "toEqual", "toStrictEqual", "toContain", "toMatch", "toHaveProperty",
    "equal", "strictEqual", "deepEqual", "deepStrictEqual", "notEqual", "notStrictEqual", "is",
}
_COMPARISONS = ("===", "==", "!==", "!=")
_COMPONENT_SUFFIXES = (".jsx", ".tsx")
_USE_CLIENT = re.compile(r"""^\s*["']use client["']""")


@lru_cache(maxsize=4)
def _importing(modules: Tuple[str, ...]) -> "re.Pattern[str]":
    """An import of one of ``modules`` or of one of their paths (``react``, ``react/jsx-runtime``)."""
    names = "|".join(map(re.escape, modules))
    return re.compile(rf"""(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\(\s*)["'](?:{names})(?:/[^"']*)?["']""")


@dataclass(frozen=True)
class Position:
    kind: str  # VALUE, REVIEW or MENTION
    where: str
    fix: Optional[str] = None
    style: str = ENV  # ENV or LITERAL: what a fix writes
    sent: bool = True  # the value may reach a request (its thinking mode matters)
    check: bool = False  # it is compared against, not sent


def scan(source: SourceText, ctx: ScanContext) -> List[Finding]:
    text = source.text
    if common.is_minified(text) or ctx.path.endswith((".min.js", ".min.mjs", ".min.cjs")):
        return []
    offsets = tree.Offsets(text)
    findings: List[Finding] = []
    blocks = tree.blocks(text, ctx.path)
    for block in blocks:
        findings += _BlockScan(source, ctx, block, offsets).run()
    if ctx.path.lower().endswith(tree.SFC_SUFFIXES):
        findings += _markup_findings(source, ctx, blocks)
    return sorted(findings, key=lambda f: (f.line, f.column, f.rule))


_ATTRIBUTE = common.review_decision("in a template attribute (no fix is offered outside <script>)", fixable=False)


def _markup_findings(source: SourceText, ctx: ScanContext, blocks: List[tree.Block]) -> List[Finding]:
    """The ids of a Vue or Svelte file outside its `<script>` blocks: a quoted attribute value that
    is exactly an id (`<Chat model="deepseek-chat" />`) is DS002; text is DS003."""
    findings = []
    text = source.text
    for match in common.occurrences(text, ctx):
        if any(block.start <= match.start < block.end for block in blocks):
            continue
        before, after = text[match.start - len(match.prefix) - 1:match.start - len(match.prefix)], text[match.end:match.end + 1]
        quoted = before in ("'", '"') and after == before
        findings.append(common.id_finding(source, ctx, match, _ATTRIBUTE if quoted else common.mention("in the markup")))
    return findings


def verify(text: str, original: Optional[str] = None) -> None:
    """Nothing more to do: the second pass over a fixed text parses each block with its own
    grammar (which this function, not knowing the file's name, could not choose) and raises
    ScanError when one no longer parses."""
    return None


def _parse(text: str, block: tree.Block, offsets: tree.Offsets) -> Tuple[Node, int]:
    start = offsets.byte(block.start)
    data = offsets.data[start:offsets.byte(block.end)]
    root = tree.parser(block.dialect).parse(data).root_node
    if root.has_error:
        error = tree.first_error(root) or root
        line = text.count("\n", 0, offsets.char(start + error.start_byte)) + 1
        raise ScanError(f"syntax error at line {line}")
    return root, start


def is_test_file(path: str) -> bool:
    name = PurePosixPath(path).name
    return ".test." in name or ".spec." in name or "__tests__" in path.split("/") or project.is_test_path(path)


class _BlockScan:
    def __init__(self, source: SourceText, ctx: ScanContext, block: tree.Block, offsets: tree.Offsets):
        self.source, self.ctx, self.block, self.offsets = source, ctx, block, offsets
        self.text = source.text
        self.catalog = ctx.catalog
        self.libraries = js_libraries()
        self.root, self.base = _parse(self.text, block, offsets)
        self.flow = Flow(self.root, self.catalog, self.libraries, ctx.facts, tree.parser(block.dialect).language)
        self.in_test = is_test_file(ctx.path)
        self.env_reader = self.choose_env_reader()
        self.findings: List[Finding] = []
        self.by_literal: Dict[int, Finding] = {}  # node id -> its finding
        self.literal_of: Dict[int, Node] = {}
        self.groups = _UnionFind()
        self.bare_rewrites: Set[int] = set()  # literals a fix rewrites to the bare V4 id (no env read)
        self.mode_unsent: Set[int] = set()  # literals whose thinking mode no request of the file gets

    # -- offsets ------------------------------------------------------------------------------

    def span(self, node: Node) -> Tuple[int, int]:
        return self.offsets.char(self.base + node.start_byte), self.offsets.char(self.base + node.end_byte)

    def node_at(self, start: int, end: int) -> Node:
        first = self.offsets.byte(start) - self.base
        last = self.offsets.byte(end) - self.base
        return self.root.descendant_for_byte_range(first, last)

    # -- the scan -----------------------------------------------------------------------------

    def run(self) -> List[Finding]:
        not_deepseek = self.literals_sent_elsewhere()
        self.sent_to_deepseek = {o.node.id for r in self.flow.requests if not r.elsewhere for o in r.origins if o.node is not None}
        block_text = self.text[self.block.start:self.block.end]
        located = []
        for match in self.catalog.find(block_text):
            match = common.shifted(match, self.block.start)
            node = self.node_at(match.start, match.end)
            if node.type == "string_fragment" and node.parent is not None:
                node = node.parent
            found = self.locate(node, match, not_deepseek)
            if found is not None:
                located.append(found)
        values_here = {match.legacy for _, match, position in located if position.kind == VALUE and not position.check}
        for node, match, position in located:
            self.report(node, match, position, values_here)
        self.send_thinking_modes()
        self.report_unsent_rewrites(block_text)
        if self.ctx.facts is not None:
            self.ctx.export_calls += self.flow.export_calls(lambda call: f"{self.ctx.path}:{self.line_of(call)}")
        return self.findings

    def locate(self, node: Node, match: IdMatch, not_deepseek: Set[int]) -> Optional[Tuple[Node, IdMatch, Position]]:
        """The string literal an id is, with its position; mentions are reported at once."""
        if node.type == "comment":
            self.findings.append(common.id_finding(self.source, self.ctx, match, common.mention("in a comment")))
            return None
        value = tree.string_value(node)
        if value is None or self.catalog.exact(value) is None:
            where = "inside a longer string" if node.type in ("string", "template_string") else "outside a string"
            self.findings.append(common.id_finding(self.source, self.ctx, match, common.mention(where)))
            return None
        if node.id in not_deepseek or self.at_gateway(node):
            return None  # the id of another host or gateway, not DeepSeek's API
        exact = self.catalog.exact(value)
        start, end = self.span(node)
        match = IdMatch(start + 1, end - 1, exact.model, exact.prefix)
        position = self.classify(node)
        if position.kind == MENTION:
            self.findings.append(common.id_finding(self.source, self.ctx, match, common.mention(position.where)))
            return None
        if position.kind == REVIEW and position.fix is not None and not position.check and node.id in self.sent_to_deepseek:
            position = replace(position, kind=VALUE, fix=SAFE, where=f"{position.where}, sent by a request")
        return node, match, position

    def report(self, node: Node, match: IdMatch, position: Position, values_here: Set[str]) -> None:
        group: Optional[str] = None
        if self.in_test:
            position, group = self.in_test_file(match, position, values_here)
        start, end = self.span(node)
        edits: Tuple[Edit, ...] = ()
        replacement = match.replacement
        if position.fix is not None:
            replacement = self.replacement(node, match, position)
            edits = (Edit(start, end, replacement),)
            if not self.in_test and (position.style == LITERAL or self.env_reader is None):
                self.bare_rewrites.add(node.id)
        rule = common.VALUE_RULE if position.kind == VALUE else common.REVIEW_RULE
        finding = self.ctx.id_finding(self.source, start, end, match, rule, where=position.where,
                                      fix=position.fix if edits else None, edits=edits, replacement=replacement, group=group)
        self.findings.append(finding)
        if position.kind == VALUE and position.sent and not position.check:
            self.by_literal[node.id] = finding
            self.literal_of[node.id] = node

    def in_test_file(self, match: IdMatch, position: Position, values_here: Set[str]) -> Tuple[Position, Optional[str]]:
        """In a test the successor is a literal (hermetic), and a check moves with the value it
        checks: one of this file, or a constant of a module it imports. A check whose value is
        not rewritten (the library's own table, say) stays for review, or the test would fail."""
        local = f"{self.ctx.path}#{match.legacy}"
        if position.kind == VALUE and not position.check:
            return replace(position, style=LITERAL), local
        if not position.check:
            return position, None
        if match.legacy in values_here:
            return replace(position, kind=VALUE, fix=SAFE, style=LITERAL), local
        imported = sorted(self.flow.imported_groups(match.legacy))
        if imported:
            return replace(position, kind=VALUE, fix=SAFE, style=LITERAL, where=f"{position.where}, checking {imported[0]}"), imported[0]
        return replace(position, where=f"{position.where} (the value it checks is not rewritten here)"), None

    def literals_sent_elsewhere(self) -> Set[int]:
        """The literals that only reach requests whose client or URL is not their provider's API."""
        elsewhere: Set[int] = set()
        reached: Set[int] = set()
        for request in self.flow.requests:
            for origin in request.origins:
                if origin.node is None:
                    continue
                match = self.catalog.exact(tree.string_value(origin.node) or "")
                provider = match.model.provider if match is not None else PRIMARY_PROVIDER
                (reached if request.reaches(provider) else elsewhere).add(origin.node.id)
        return elsewhere - reached

    # -- positions ----------------------------------------------------------------------------

    def classify(self, node: Node) -> Position:
        child, parent = node, node.parent
        literal_only = False
        while parent is not None and parent.type in ("parenthesized_expression", "as_expression", "satisfies_expression",
                                                      "non_null_expression"):
            if parent.type == "as_expression" and tree.text_of(parent).rstrip().endswith("const"):
                literal_only = True  # `as const` applies to a literal only
            child, parent = parent, parent.parent
        if parent is None:
            return Position(MENTION, "in a string")
        style = LITERAL if literal_only else ENV
        kind = parent.type
        if kind == "pair":
            if parent.child_by_field_name("key") == child:
                return Position(REVIEW, "as an object key")
            key = tree.key_name(parent) or "?"
            if key in self.libraries.model_keys:
                return Position(VALUE, f"as the value of `{key}`", SAFE, style)
            return Position(REVIEW, f"as the value of `{key}`", UNSAFE, style)
        if kind == "arguments":
            call = parent.parent
            name = tree.callee(call) if call is not None else ""
            last = name.rpartition(".")[2]
            if last in _CHECK_METHODS:
                return Position(REVIEW, f"as the argument of `{last}`", UNSAFE, LITERAL, sent=False, check=True)
            if call is not None and tree.arguments(call)[:1] == [child] and self.flow.gives_deepseek_model(call):
                return Position(VALUE, f"as the model of `{name or 'a provider'}`", SAFE, style)
            return Position(REVIEW, f"as an argument of `{name or 'a call'}`", UNSAFE, style)
        if kind == "variable_declarator":
            name = tree.text_of(parent.child_by_field_name("name") or parent)
            annotation = parent.child_by_field_name("type")
            if annotation is not None and self.catalog.exact(tree.text_of(annotation).lstrip(":").strip().strip("'\"`")):
                return Position(VALUE, f"as the value of `{name}` (its declared type is that id: change both)", UNSAFE, LITERAL)
            return Position(VALUE, f"as the value of `{name}`", SAFE, style)
        if kind == "binary_expression":
            operator = tree.text_of(parent.child_by_field_name("operator") or parent)
            if operator in _COMPARISONS:
                return Position(REVIEW, "in a comparison", UNSAFE, LITERAL, sent=False, check=True)
            if operator in ("??", "||") and parent.child_by_field_name("right") == child:
                variable = self.flow.env_variable(tree.unwrap(parent.child_by_field_name("left")))
                if variable is not None:
                    return Position(VALUE, f"as the default of `{variable}`", SAFE, LITERAL)
                return Position(VALUE, "as a default value", SAFE, style)
            return Position(REVIEW, "in an expression")
        if kind == "switch_case":
            return Position(REVIEW, "in a switch case", UNSAFE, LITERAL, sent=False, check=True)
        if kind == "literal_type":
            return Position(REVIEW, "in a TypeScript literal type")
        if kind == "enum_assignment":
            return Position(REVIEW, "as an enum value")
        if kind == "array":
            return Position(REVIEW, "in an array (its other members decide what a successor would mean)")
        if kind == "subscript_expression":
            return Position(REVIEW, "as a lookup key")
        if kind == "jsx_attribute":
            name = tree.text_of(parent.named_children[0]) if parent.named_children else ""
            if name in self.libraries.model_keys:
                return Position(VALUE, f"as the JSX attribute `{name}`", SAFE, LITERAL)
            return Position(REVIEW, f"as the JSX attribute `{name}`", UNSAFE, LITERAL)
        if kind in ("expression_statement", "import_statement"):  # "use strict"-like, or a module's name
            return Position(MENTION, "in a string")
        if kind in _BARE_PARENTS or kind in ("assignment_expression", "augmented_assignment_expression"):
            return Position(VALUE, "as a value", SAFE, style)
        return Position(REVIEW, "in an expression")

    def at_gateway(self, node: Node) -> bool:
        """Whether the id is given to a gateway: a call or class, a constant or key, or an enclosing
        class or object whose name holds a gateway word (`openrouter("deepseek/deepseek-chat")`,
        `COMETAPI_DEEPSEEK_CHAT = "deepseek-chat"`)."""
        words = self.catalog.gateway_words
        current: Optional[Node] = node.parent
        depth = 0
        while current is not None and depth < 12:
            name = ""
            if current.type in ("call_expression", "new_expression"):
                name = tree.callee(current)
            elif current.type in ("variable_declarator", "class_declaration", "enum_declaration"):
                found = current.child_by_field_name("name")
                name = tree.text_of(found) if found is not None else ""
            elif current.type in ("pair", "enum_assignment", "public_field_definition"):
                name = tree.key_name(current) or "" if current.type == "pair" else tree.text_of(current.named_children[0])
            lowered = name.lower()
            if lowered and any(word in lowered for word in words):
                return True
            current, depth = current.parent, depth + 1
        line, _ = self.source.position(self.span(node)[0])
        comment = self.source.line_text(line).partition("//")[2].lower()
        return any(word in comment for word in words)

    # -- the rewrite --------------------------------------------------------------------------

    def choose_env_reader(self) -> Optional[str]:
        """`process.env`, or `import.meta.env` where the file reads it (Vite exposes only `VITE_`
        variables to client code); None where a literal is the safe choice: code that reads
        neither and runs in a browser, where reading `process` may throw as the page loads."""
        if "import.meta.env" in self.text:
            return "import.meta.env"
        if "process.env" not in self.text and self.runs_in_a_browser():
            return None
        return "process.env"

    def runs_in_a_browser(self) -> bool:
        """A JSX/TSX, Vue or Svelte file, one that says "use client" or imports a UI library, or
        a file of a package that a browser bundler builds (rules/libraries_js.toml, [browser])."""
        path = self.ctx.path.lower()
        if path.endswith(tree.SFC_SUFFIXES + _COMPONENT_SUFFIXES) or _USE_CLIENT.search(self.text):
            return True
        modules = self.libraries.browser_modules
        if modules and _importing(modules).search(self.text):
            return True
        return any(_npm.declared_range(self.ctx.file or self.ctx.path, bundler) is not None
                   for bundler in self.libraries.browser_bundlers)

    def replacement(self, node: Node, match: IdMatch, position: Position) -> str:
        quote = tree.text_of(node)[0]
        model = match.model

        def quoted(value: str) -> str:
            return f"{quote}{value}{quote}"

        if position.style == LITERAL or self.env_reader is None or self.in_test:
            return quoted(match.replacement)
        variable = ("VITE_" if self.env_reader == "import.meta.env" else "") + model.env_var
        expression = f"{self.env_reader}.{variable} ?? {quoted(model.replacement)}"
        if match.prefix:
            expression = f"{quoted(match.prefix)} + ({expression})"
        return expression if self.bare_allowed(node) else f"({expression})"

    @staticmethod
    def bare_allowed(node: Node) -> bool:
        parent = node.parent
        if parent is None or parent.type not in _BARE_PARENTS:
            return False
        if parent.type == "arrow_function":
            return parent.child_by_field_name("body") == node
        if parent.type == "ternary_expression":
            return parent.child_by_field_name("condition") != node
        return True

    # -- thinking modes -----------------------------------------------------------------------

    def send_thinking_modes(self) -> None:
        reached: Set[int] = set()
        for request in self.flow.requests:
            if request.elsewhere or request.shape.thinking is None:
                reached.update(o.node.id for o in request.origins if o.node is not None)
                continue
            reached.update(self.send_with(request))
        for node_id, finding in self.by_literal.items():
            node = self.literal_of[node_id]
            self.groups.add(node_id)
            export = self.exported_name(node)
            if export is not None:
                finding.group = f"{self.ctx.path}:{export}"
            if node_id in reached or not finding.legacy or finding.fix is None:
                continue
            model = self.catalog.exact(finding.legacy)
            mode = model.model.thinking if model is not None else None
            if not mode:
                continue
            hint = (f"V4 thinks by default and no request sending it was found: send thinking {mode} with it "
                    f'(openai-node: `thinking: {{ type: "{mode}" }}` in the request body)')
            if export is not None:
                finding.pending_hint = hint  # unless a request in another module sends it
                finding.bare_rewrite = node_id in self.bare_rewrites and mode != V4_DEFAULT_THINKING
            else:
                finding.message += f". {hint}"
                self.mode_unsent.add(node_id)
        self.bare_rewrites_unsafe()
        self.assign_groups()

    def bare_rewrites_unsafe(self) -> None:
        """A rewrite to the bare V4 id (code that runs in a browser, a literal type) whose thinking
        mode no request here gets is unsafe: V4 would think where the old id did not, and the
        literal it leaves says nothing of the mode, so no later check could tell (an env rewrite
        stays listed, DS007, until a request sends its mode)."""
        for node_id in self.mode_unsent & self.bare_rewrites:
            finding = self.by_literal[node_id]
            exact = self.catalog.exact(finding.legacy) if finding.legacy else None
            if finding.fix == SAFE and exact is not None and exact.model.thinking != V4_DEFAULT_THINKING:
                finding.fix = UNSAFE
                finding.message += BARE_UNSENT

    def send_with(self, request: Request) -> Set[int]:
        """The thinking edit of one request, on the finding of the literal its model comes from
        (or a DS007 finding at the request when it comes from elsewhere); the literals it reaches."""
        literals = [o for o in request.origins if o.node is not None and o.node.id in self.by_literal]
        nodes = {o.node.id for o in literals}
        self.ctx.sent.update(o.export for o in request.origins if o.export)  # (its thinking mode sent or not)
        if request.explicit:
            self.report_old_package(request, None)
            return nodes
        retired = request.retired
        modes = request.modes
        unknown = any(o.kind == UNKNOWN for o in request.origins)
        if not retired:
            if request.deepseek and unknown:
                self.findings.append(self.request_finding(request, "notice", (
                    f"This {request.shape.library} request to DeepSeek sends no thinking mode, and its model is not known here; "
                    "V4 thinks by default: send thinking explicitly (disabled where the model was deepseek-chat)")))
            return nodes
        if len(modes) != 1 or unknown:
            problem = "its model may also be another id" if unknown else "its model may be ids with different thinking modes"
            for origin in literals:
                self.by_literal[origin.node.id].message += (f". V4 thinks by default: send the thinking mode each id had "
                                                            f"with the request on line {self.line_of(request.call)} ({problem})")
            self.mode_unsent.update(nodes)
            if not literals:
                self.findings.append(self.request_finding(request, "warning", (
                    f"This {request.shape.library} request may send {', '.join(sorted({f'`{o.model.id}`' for o in retired}))} "
                    f"({problem}); V4 thinks by default: send the thinking mode each one had explicitly")))
            return nodes
        mode = modes.pop()
        edits, problem = self.thinking_edits(request, mode)
        if not problem:
            self.report_old_package(request, mode)
        if problem:
            for origin in literals:
                self.by_literal[origin.node.id].message += f". V4 thinks by default: send thinking {mode} with the request on line {self.line_of(request.call)} ({problem})"
            self.mode_unsent.update(nodes)
            return nodes
        if literals:
            first = self.by_literal[literals[0].node.id]
            first.edits += tuple(edits)
            for origin in literals:  # a default: other modules' calls may pass their own
                self.by_literal[origin.node.id].default_of = self.importable_default(origin.node, mode)
            for origin in literals[1:]:
                self.groups.union(literals[0].node.id, origin.node.id)
            return nodes
        outside = [o for o in retired if o.node is None]
        model = outside[0].model
        export = next((o.export for o in outside if o.export), None)
        source = f"from `{outside[0].where}`" if export else f"{outside[0].where or 'from this tool’s rewrite'}"
        finding = self.request_finding(request, self.catalog.severity(model, self.ctx.today) if export else "warning", (
            f"This {request.shape.library} request sends `{model.id}`'s successor {source} without a thinking mode; "
            f"V4 thinks by default: send thinking {mode}"), fix=SAFE, edits=tuple(edits), legacy=model.id,
            replacement=f"thinking {mode}", group=export)
        self.findings.append(finding)
        if export:
            self.ctx.sent.add(export)
            self.ctx.thinking_sent.add(export)
        return nodes

    def report_unsent_rewrites(self, block_text: str) -> None:
        """This tool's own rewrite of a retired id (`process.env.DEEPSEEK_CHAT_MODEL ??
        "deepseek-v4-flash"`) as a value that no request of this file sends: the report keeps
        listing it, with the thinking mode the old id had, until one does (a notice; for an
        exported constant, only when no request of the project sends it), as in Python."""
        sent = {o.site.id for r in self.flow.requests for o in r.origins if o.site is not None}
        seen: Set[int] = set()
        for variable in self.rewrite_variables():
            index = block_text.find(variable)
            while index >= 0:
                start = self.block.start + index
                site = self.rewrite_at(self.node_at(start, start + len(variable)))
                index = block_text.find(variable, index + len(variable))
                if site is None or site.id in seen or site.id in sent:
                    continue
                seen.add(site.id)
                origin = self.flow.migrated_origin(site.child_by_field_name("left"), site.child_by_field_name("right"))
                if origin is None or not origin.model.thinking or self.classify(site).kind != VALUE:
                    continue
                model, export = origin.model, self.exported_name(site)
                begin, end = self.span(site)
                self.findings.append(self.ctx.finding(self.source, begin, end, THINKING_RULE, "notice", (
                    f"`{model.env_var}` holds the successor of `{model.id}`, whose thinking mode was {model.thinking}, "
                    f"and no request that sends it with thinking {model.thinking} was found; V4 thinks by default"),
                    legacy=model.id, replacement=f"thinking {model.thinking}",
                    group=f"{self.ctx.path}:{export}" if export else None, unless_sent=bool(export)))

    def rewrite_variables(self) -> List[str]:
        """The environment variables this tool's rewrites read, for the models with a thinking mode."""
        models = [m for m in self.catalog.retired.values() if m.is_primary and m.thinking and m.env_var]
        return sorted({name for m in models for name in (m.env_var, "VITE_" + m.env_var)}, key=len, reverse=True)

    def rewrite_at(self, node: Node) -> Optional[Node]:
        """The `??` (or `||`) expression whose left side is the env read ``node`` is the name of."""
        read = node.parent if node.type == "property_identifier" else None
        if read is not None and read.type == "member_expression" and read.parent is not None and read.parent.type == "binary_expression":
            if read.parent.child_by_field_name("left") == read:
                return read.parent
        return None

    def report_old_package(self, request: Request, mode: Optional[str]) -> None:
        """A DS007 warning where the project's package.json allows a version of the library that
        does not read the thinking mode yet: the fix sends it, the library would drop it."""
        if request.shape.needs is None:
            return
        package, version = request.shape.needs
        declared = _npm.declared_range(self.ctx.file or self.ctx.path, package)
        floor = _npm.floor_of(declared) if declared else None
        if floor is None or floor >= _npm.parse_version(version):
            return
        self.findings.append(self.request_finding(request, "warning", (
            f"This {request.shape.library} request {f'gets thinking {mode}' if mode else 'sends a thinking mode'}, "
            f"but package.json allows `{package}` {declared}, "
            f"and versions before {version} drop that option (V4 then thinks by default): upgrade `{package}`")))

    def request_finding(self, request: Request, severity: str, message: str, **kwargs) -> Finding:
        start, end = self.span(request.model_node if request.model_node is not None else request.call)
        return self.ctx.finding(self.source, start, end, THINKING_RULE, severity, message, **kwargs)

    def thinking_edits(self, request: Request, mode: str) -> Tuple[List[Edit], str]:
        """The edit that adds `thinking: { type: mode }` under the library's keys, or why it can't."""
        quote = self.quote_style(request.target)
        value = f"thinking: {{ type: {quote}{mode}{quote} }}"
        holder = request.target
        keys = list(request.shape.thinking or ())
        while keys and holder is not None:
            member = tree.member(holder, keys[0])
            if member is None:
                break
            inner = tree.unwrap(member.child_by_field_name("value")) if member.type == "pair" else None
            if inner is None or inner.type != "object":
                return [], f"its `{keys[0]}` is not an object written here: add `{value}` to it"
            holder, keys = inner, keys[1:]
        for key in reversed(keys):
            value = f"{key}: {{ {value} }}"
        if not request.shape.thinking and request.shape.typescript_spread and tree.is_typescript(self.block.dialect):
            value = f"...{{ {value} }}"  # TypeScript checks an object literal's keys against the type, not a spread's
        return [self.insert_member(holder, value)], ""

    def insert_member(self, obj: Node, member_text: str) -> Edit:
        """One more member of an object literal, in its layout: on its own line in a multi-line
        object, after the last member (before the first if there is a spread, which then wins)."""
        members = tree.object_members(obj)
        open_start, _ = self.span(obj)
        _, close_end = self.span(obj)
        newline = self.source.newline()
        if not members:
            inside = self.text[open_start + 1:close_end - 1]
            return Edit(open_start + 1, close_end - 1, f" {member_text} " if not inside.strip() else inside + member_text)
        first_start, _ = self.span(members[0])
        multiline = "\n" in self.text[open_start:first_start] or "\r" in self.text[open_start:first_start]
        if any(m.type == "spread_element" for m in members):
            if multiline:
                return Edit(first_start, first_start, f"{member_text},{newline}{tree.line_indent(self.text, first_start)}")
            return Edit(first_start, first_start, f"{member_text}, ")
        _, last_end = self.span(members[-1])
        after = last_end
        while after < close_end and self.text[after] in " \t\r\n":
            after += 1
        trailing_comma = self.text[after] == ","
        last_start, _ = self.span(members[-1])
        indent = tree.line_indent(self.text, last_start)
        if multiline:
            if trailing_comma:
                return Edit(after + 1, after + 1, f"{newline}{indent}{member_text},")
            return Edit(last_end, last_end, f",{newline}{indent}{member_text}")
        if trailing_comma:
            return Edit(after + 1, after + 1, f" {member_text},")
        return Edit(last_end, last_end, f", {member_text}")

    def quote_style(self, near: Optional[Node]) -> str:
        """The quote of the first string in ``near`` (the request's object), else the file's usual one."""
        for node in tree.walk(near) if near is not None else ():
            if node.type == "string":
                return tree.text_of(node)[0]
        single, double = self.text.count("'"), self.text.count('"')
        return "'" if single > double else '"'

    def exported_name(self, node: Node) -> Optional[str]:
        """``NAME`` when the literal is the value of `export const NAME = ...` (or its env default)
        at the top of the module: another module may import it."""
        current = node.parent
        provider = self.flow.provider_of(node)
        if provider is not None:  # `export const chatModel = deepseek("deepseek-chat")`
            current = provider.parent
        while current is not None and current.type in ("parenthesized_expression", "as_expression", "satisfies_expression",
                                                        "binary_expression"):
            current = current.parent
        if current is None or current.type != "variable_declarator":
            return None
        declaration = current.parent
        statement = declaration.parent if declaration is not None else None
        if statement is None or statement.type != "export_statement" or statement.parent is None or statement.parent.type != "program":
            return None
        name = current.child_by_field_name("name")
        return tree.text_of(name) if name is not None and name.type == "identifier" else None

    def importable_default(self, literal: Node, mode: str) -> Optional[ParamDefault]:
        """The literal as a parameter's default (or its env default's) in a function at the top of
        the module, which other modules may import and call with their own value."""
        value = literal
        while value.parent is not None and value.parent.type in ("binary_expression", "parenthesized_expression"):
            value = value.parent
        parameter = parameter_of(value)
        name = importable_name(parameter.function) if parameter is not None else None
        if name is None:
            return None
        return ParamDefault(f"{self.ctx.path}:{name}", parameter.name, parameter.index, mode, option=parameter.key is not None)

    def line_of(self, node: Node) -> int:
        return self.source.position(self.span(node)[0])[0]

    def assign_groups(self) -> None:
        """Literals that reach one request are fixed together: they share the group of the first."""
        for node_id, finding in self.by_literal.items():
            root = self.groups.find(node_id)
            if root == node_id:
                continue
            leader = self.by_literal[root]
            if leader.group is None:
                line, column = leader.line, leader.column
                leader.group = f"{self.ctx.path}:{line}:{column}"
            finding.group = leader.group


class _UnionFind:
    def __init__(self) -> None:
        self.parent: Dict[int, int] = {}

    def add(self, key: int) -> None:
        self.parent.setdefault(key, key)

    def find(self, key: int) -> int:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, first: int, second: int) -> None:
        self.parent[self.find(second)] = self.find(first)

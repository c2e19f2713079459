"""Where a JavaScript/TypeScript file's requests get their model, and where their thinking mode goes.

Each request of a known library (``rules/libraries_js.toml``) is followed back from its model
value to where it is written: a string literal, a constant of the file, a class field read as
``this.model``, a parameter's default, an AI SDK provider's model (``deepseek("id")``), or a
name imported from another module of the project (``Facts``). The request's thinking mode goes
into the object the library takes it in, as one more member.

Names are resolved by name within the file: a name bound twice (or shadowed) counts both of
its values, so a request whose model may have two thinking modes is reported, not fixed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from tree_sitter import Node

from codemod.catalog import PRIMARY_PROVIDER, Catalog, RetiredModel, UrlInfo
from codemod.ftypes import ExportCall, OptionKeys
from codemod.libraries import JsLibraries, JsRequestShape
from codemod.scanners import _jstree as tree

RETIRED, MIGRATED, CURRENT, UNKNOWN = "retired", "migrated", "current", "unknown"
_MAX_DEPTH = 8
# The nodes a file's index needs: calls, bindings, imports and defaults.
_INDEXED = ("call_expression", "new_expression", "variable_declarator", "import_statement", "required_parameter",
            "optional_parameter", "assignment_pattern", "object_assignment_pattern")


@dataclass(frozen=True)
class Origin:
    kind: str  # RETIRED, MIGRATED (this tool's rewrite), CURRENT (a current id), UNKNOWN
    model: Optional[RetiredModel] = None
    node: Optional[Node] = None  # the string literal of a RETIRED origin in this file
    export: Optional[str] = None  # the group of a constant imported from another module
    where: str = ""
    site: Optional[Node] = None  # this tool's rewrite in this file, of a MIGRATED origin


@dataclass(frozen=True)
class Imported:
    """What a name imported from another module of the project is bound to there."""

    kind: str  # RETIRED or MIGRATED
    model: RetiredModel
    export: str  # its group: "path:NAME"
    where: str  # "path:line"
    provider: bool = False  # an AI SDK provider's model of the id (`deepseek("deepseek-chat")`), not the id


class Facts:
    """What other modules define; the engine gives a file its view (``project.JsFileFacts``)."""

    def imported(self, specifier: str, name: str) -> Optional[Imported]:
        return None

    def groups_with(self, specifier: str, legacy: str) -> Set[str]:
        """The groups of the constants of that module that hold ``legacy`` (a test checks them)."""
        return set()

    def env_value(self, variable: str) -> Optional[Imported]:
        """Where the project's env files (`.env`, compose, YAML) set ``variable`` to one retired id."""
        return None

    def function_names(self) -> FrozenSet[str]:
        """The last names of other modules' functions (a constructor: its class) with an id default."""
        return frozenset()

    def functions_of(self, specifier: str) -> Dict[str, str]:
        """The functions with an id default of the module ``specifier`` names: name -> group
        (``default``: the module's default export)."""
        return {}


@dataclass
class Request:
    shape: JsRequestShape
    call: Node
    target: Optional[Node]  # the object literal that holds the model and takes the thinking mode
    model_node: Optional[Node]
    origins: List[Origin] = field(default_factory=list)
    explicit: bool = False  # it sends a thinking mode already
    elsewhere: bool = False  # its client or URL is not DeepSeek's API
    deepseek: bool = False  # its client or URL is known to be DeepSeek's API
    host: Optional[UrlInfo] = None  # where its client or URL points, when the file says

    def reaches(self, provider: str) -> bool:
        """Whether a model it sends goes to ``provider``'s API, as far as the file tells."""
        if provider == PRIMARY_PROVIDER or self.host is None:  # (a gateway's slug: elsewhere, with no URL)
            return not self.elsewhere
        return self.host.serves(provider)

    @property
    def retired(self) -> List[Origin]:
        return [o for o in self.origins if o.kind in (RETIRED, MIGRATED)]

    @property
    def modes(self) -> Set[str]:
        return {o.model.thinking for o in self.retired if o.model is not None and o.model.thinking}


class Flow:
    """The requests of one parsed block, with their model's origins."""

    def __init__(self, root: Node, catalog: Catalog, libraries: JsLibraries, facts: Optional[Facts], language=None):
        self.root = root
        self.language = language
        self.catalog = catalog
        self.libraries = libraries
        self.facts = facts or Facts()
        self.declarations: Dict[str, List[Node]] = {}  # name -> its variable_declarator nodes
        self.defaults: Dict[str, List[Node]] = {}  # name -> the default values of parameters (and options) so named
        self.imports: Dict[str, Tuple[str, str]] = {}  # local name -> (module specifier, imported name)
        self.namespaces: Dict[str, str] = {}  # `import * as cfg` / `const cfg = require(...)` -> specifier
        self.default_imports: Dict[str, str] = {}  # `import Bot from "./bot"` -> specifier
        self.calls: List[Node] = []
        self._passed: Dict[int, List[Origin]] = {}
        self._index()
        self.requests = [r for r in (self._request(call) for call in self.calls) if r is not None]

    # -- the file's names ---------------------------------------------------------------------

    def _index(self) -> None:
        for node in tree.nodes_of(self.root, _INDEXED, self.language):
            kind = node.type
            if kind in ("call_expression", "new_expression"):
                self.calls.append(node)
                self._note_require(node)
            elif kind == "variable_declarator":
                name = node.child_by_field_name("name")
                if name is not None and name.type == "identifier":
                    self.declarations.setdefault(tree.text_of(name), []).append(node)
            elif kind == "import_statement":
                self._note_import(node)
            else:
                self._note_default(node)

    def _note_default(self, node: Node) -> None:
        if node.type in ("required_parameter", "optional_parameter"):
            target, value = node.child_by_field_name("pattern"), node.child_by_field_name("value")
        else:  # assignment_pattern, object_assignment_pattern: `model = "..."` in parameters or a destructuring
            target, value = node.child_by_field_name("left"), node.child_by_field_name("right")
        if target is not None and value is not None and target.type in ("identifier", "shorthand_property_identifier_pattern"):
            self.defaults.setdefault(tree.text_of(target), []).append(value)

    def _note_import(self, statement: Node) -> None:
        source = statement.child_by_field_name("source")
        specifier = tree.string_value(source)
        if specifier is None:
            return
        for node in tree.walk(statement):
            if node.type == "import_specifier":
                name = node.child_by_field_name("name")
                alias = node.child_by_field_name("alias") or name
                if name is not None and alias is not None:
                    self.imports[tree.text_of(alias)] = (specifier, tree.text_of(name))
            elif node.type == "namespace_import":
                names = [c for c in node.named_children if c.type == "identifier"]
                if names:
                    self.namespaces[tree.text_of(names[0])] = specifier
            elif node.type == "import_clause":
                for name in (c for c in node.named_children if c.type == "identifier"):
                    self.default_imports[tree.text_of(name)] = specifier

    def _note_require(self, call: Node) -> None:
        """`const { A, B: C } = require("./x")` and `const cfg = require("./x")`."""
        if tree.callee(call) != "require":
            return
        args = tree.arguments(call)
        specifier = tree.string_value(args[0]) if args else None
        declarator = call.parent
        if specifier is None or declarator is None or declarator.type != "variable_declarator":
            return
        target = declarator.child_by_field_name("name")
        if target is None:
            return
        if target.type == "identifier":
            self.namespaces[tree.text_of(target)] = specifier
        elif target.type == "object_pattern":
            for member in target.named_children:
                if member.type == "shorthand_property_identifier_pattern":
                    self.imports[tree.text_of(member)] = (specifier, tree.text_of(member))
                elif member.type == "pair_pattern":
                    key, value = member.child_by_field_name("key"), member.child_by_field_name("value")
                    if key is not None and value is not None and value.type == "identifier":
                        self.imports[tree.text_of(value)] = (specifier, tree.text_of(key))

    def imported_groups(self, legacy: str) -> Set[str]:
        """The groups of the constants holding ``legacy`` in the modules this file imports."""
        specifiers = {spec for spec, _ in self.imports.values()} | set(self.namespaces.values())
        return {group for spec in specifiers for group in self.facts.groups_with(spec, legacy)}

    def declared_value(self, name: str) -> List[Optional[Node]]:
        return [d.child_by_field_name("value") for d in self.declarations.get(name, [])]

    def object_of(self, node: Optional[Node], depth: int = 0) -> Optional[Node]:
        """The object literal an expression is: itself, or the one value of the constant it names."""
        node = tree.unwrap(node)
        if node is None or depth > _MAX_DEPTH:
            return None
        if node.type == "object":
            return node
        if node.type in ("identifier", "shorthand_property_identifier"):
            values = self.declared_value(tree.text_of(node))
            return self.object_of(values[0], depth + 1) if len(values) == 1 else None
        return None

    # -- requests -----------------------------------------------------------------------------

    def _request(self, call: Node) -> Optional[Request]:
        name = tree.callee(call)
        if not name:
            return None
        shape = self.libraries.request_for(name, call.type == "new_expression")
        if shape is None:
            return None
        args = tree.arguments(call)
        if len(args) <= shape.argument:
            return None
        target = self.object_of(args[shape.argument])
        if shape.body is not None and target is not None:
            target = self.body_object(tree.member_value(target, shape.body))
        if target is None:
            return None
        model_node = self.model_value(target, shape)
        request = Request(shape, call, target, model_node)
        request.elsewhere, request.deepseek = self.destination(request, args)
        if shape.provider and tree.string_value(tree.unwrap(model_node)) is not None:
            # a model id as a string is the Vercel AI Gateway's slug (`"deepseek/deepseek-chat"`)
            request.elsewhere, request.origins = True, [Origin(CURRENT, node=tree.unwrap(model_node))]
            return request
        if model_node is not None:
            request.origins = self.origins(model_node, provider=shape.provider)
        request.explicit = self.sends_thinking(target, shape)
        return request

    def body_object(self, body: Optional[Node]) -> Optional[Node]:
        """The object a `body: JSON.stringify({...})` sends (directly, or through a constant)."""
        body = tree.unwrap(body)
        if body is not None and body.type in ("identifier", "shorthand_property_identifier"):
            values = self.declared_value(tree.text_of(body))
            body = tree.unwrap(values[0]) if len(values) == 1 else None
        if body is None or body.type != "call_expression" or tree.callee(body) != "JSON.stringify":
            return None
        args = tree.arguments(body)
        return self.object_of(args[0]) if args else None

    def model_value(self, target: Node, shape: JsRequestShape, depth: int = 0) -> Optional[Node]:
        for key in shape.model_keys:
            value = tree.member_value(target, key)
            if value is not None:
                return value
        for member in tree.object_members(target):  # `{ ...base, messages }`
            if member.type == "spread_element" and depth < _MAX_DEPTH:
                spread = self.object_of(member.named_children[0] if member.named_children else None)
                if spread is not None:
                    found = self.model_value(spread, shape, depth + 1)
                    if found is not None:
                        return found
        return None

    def sends_thinking(self, target: Node, shape: JsRequestShape) -> bool:
        """Whether the request already sends a thinking mode (at its library's place, or spread in)."""
        if shape.thinking is None:
            return False
        holder: Optional[Node] = target
        for key in shape.thinking:
            holder = self.object_of(tree.member_value(holder, key)) if holder is not None else None
        if holder is not None and tree.member(holder, "thinking") is not None:
            return True
        return any(
            member.type == "spread_element" and (spread := self.object_of(member.named_children[0] if member.named_children else None))
            is not None and tree.member(spread, "thinking") is not None
            for member in tree.object_members(target)
        )

    # -- where a request goes -----------------------------------------------------------------

    def destination(self, request: Request, args: List[Node]) -> Tuple[bool, bool]:
        """(elsewhere, deepseek): whether the request's client, provider or URL is known to go
        somewhere other than DeepSeek's API, or known to be DeepSeek's."""
        shape = request.shape
        if shape.always_deepseek:
            return False, True
        if shape.new:  # a client class: its own options hold the base URL (`configuration.baseURL`)
            return self.url_verdict(self.base_url_in(request.target), request)
        if shape.provider:
            return False, False  # decided by the provider of the model (``origins``)
        if shape.body is not None or shape.argument == 1:  # fetch(url, ...), axios.post(url, data)
            url = tree.unwrap(args[0]) if args else None
            return self.url_verdict(self.url_text(url), request)
        client = tree.receiver(request.call)
        if client is not None and client.type == "identifier":
            values = self.declared_value(tree.text_of(client))
            client = tree.unwrap(values[0]) if len(values) == 1 else None
        if client is not None and client.type == "new_expression" and tree.callee(client) in self.libraries.client_constructors:
            options = tree.arguments(client)
            return self.url_verdict(self.base_url_in(self.object_of(options[0]) if options else None), request)
        return False, False

    def base_url_in(self, options: Optional[Node]) -> Optional[str]:
        if options is None:
            return None
        for holder in (options, self.object_of(tree.member_value(options, "configuration"))):
            if holder is None:
                continue
            for key in self.libraries.base_url_keys:
                value = tree.member_value(holder, key)
                if value is not None:
                    return self.url_text(tree.unwrap(value))
        return None

    def url_text(self, node: Optional[Node]) -> Optional[str]:
        """A URL written as a string, or the start of a template literal up to its first `${`."""
        if node is None:
            return None
        value = tree.string_value(node)
        if value is not None:
            return value
        if node.type == "template_string":
            text = tree.text_of(node)[1:]
            return text.split("${", 1)[0] or None
        if node.type in ("identifier",):
            values = self.declared_value(tree.text_of(node))
            return self.url_text(tree.unwrap(values[0])) if len(values) == 1 else None
        if node.type == "binary_expression":  # `process.env.BASE ?? "https://api.deepseek.com"`
            right = tree.unwrap(node.child_by_field_name("right"))
            return self.url_text(right)
        return None

    def url_verdict(self, url: Optional[str], request: Optional[Request] = None) -> Tuple[bool, bool]:
        info: Optional[UrlInfo] = self.catalog.classify_url(url) if url else None
        if request is not None:
            request.host = info
        if info is None:
            return False, False
        return (not info.is_deepseek_api, info.is_deepseek_api)

    # -- calls of other modules' functions ------------------------------------------------------

    def export_calls(self, where: Callable[[Node], str]) -> List[ExportCall]:
        """This file's calls of other modules' functions whose parameter default is a retired id,
        with the mode of what each argument passes (and of the keys of an options object)."""
        names = self.facts.function_names()
        found: List[ExportCall] = []
        if not names:
            return found
        for call in self.calls:
            called = tree.callee(call)
            if not called or (called.rpartition(".")[2] not in names and called not in self.imports and called not in self.default_imports):
                continue  # (an imported name may be an alias: `import { ask as chat }`)
            groups = self.called_functions(called)
            if not groups:
                continue
            values = tree.arguments(call)
            starred = any(v.type == "spread_element" for v in values)
            positional = tuple(self.mode_of(v) for v in values)
            options = tuple(self.option_keys(v) for v in values)
            found += [ExportCall(group, where(call), positional, (), starred, options) for group in groups]
        return found

    def called_functions(self, called: str) -> List[str]:
        """The groups of the functions with an id default a call may be of: a name imported from
        the module (``ask(...)``, ``new Bot(...)``, ``llm.ask(...)``), or, for a method called on
        anything else (``bot.reply(...)``), that method of every module this file imports from."""
        head, _, rest = called.partition(".")
        if head in self.imports:
            specifier, name = self.imports[head]
            group = self.facts.functions_of(specifier).get(f"{name}.{rest}" if rest else name)
            if group is not None or not rest:
                return [group] if group is not None else []
        elif head in self.namespaces or head in self.default_imports:
            specifier = self.namespaces.get(head) or self.default_imports[head]
            functions = self.facts.functions_of(specifier)
            group = functions.get(rest) if rest else functions.get("default")
            if group is not None or not rest:
                return [group] if group is not None else []
        if not rest:
            return []
        method = "." + called.rpartition(".")[2]
        specifiers = {spec for spec, _ in self.imports.values()} | set(self.namespaces.values()) | set(self.default_imports.values())
        return sorted({group for spec in specifiers for name, group in self.facts.functions_of(spec).items() if name.endswith(method)})

    def mode_of(self, node: Node) -> Optional[str]:
        """The one thinking mode a value implies (an id, this tool's rewrite of one), or None."""
        origins = self.origins(node)
        modes = {o.model.thinking for o in origins if o.model is not None}
        if origins and all(o.kind in (RETIRED, MIGRATED) for o in origins) and len(modes) == 1:
            return modes.pop()
        return None

    def option_keys(self, node: Node) -> OptionKeys:
        """What an options object argument sets: its keys and their modes; None when it is not an
        object literal (or spreads one in): it may set anything."""
        options = self.object_of(node)
        if options is None:
            return None
        keys = []
        for member in tree.object_members(options):
            if member.type == "spread_element":
                return None
            key = tree.key_name(member) if member.type in ("pair", "shorthand_property_identifier") else None
            if key is not None:
                value = member if member.type == "shorthand_property_identifier" else member.child_by_field_name("value")
                keys.append((key, self.mode_of(value) if value is not None else None))
        return tuple(keys)

    # -- where a model comes from -------------------------------------------------------------

    def origins(self, node: Optional[Node], provider: bool = False, depth: int = 0, seen: Optional[Set[int]] = None) -> List[Origin]:
        node = tree.unwrap(node)
        if node is None or depth > _MAX_DEPTH:
            return [Origin(UNKNOWN)]
        seen = set() if seen is None else seen
        if node.id in seen:
            return []
        seen.add(node.id)
        kind = node.type
        if kind == "await_expression":
            return self.origins(node.named_children[0] if node.named_children else None, provider, depth + 1, seen)
        if provider:
            return self.provider_origins(node, depth, seen)
        value = tree.string_value(node)
        if value is not None:
            return [self.literal_origin(node, value)]
        variable = self.env_variable(node)
        if variable is not None:
            return [self.env_origin(variable)]
        if kind in ("identifier", "shorthand_property_identifier"):
            return self.name_origins(tree.text_of(node), depth, seen)
        if kind == "member_expression":
            return self.member_origins(node, depth, seen)
        if kind == "binary_expression":
            operator = node.child_by_field_name("operator")
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if operator is not None and tree.text_of(operator) in ("??", "||"):
                migrated = self.migrated_origin(left, right, node)
                if migrated is not None:
                    return [migrated]
                if self.is_env_read(tree.unwrap(left)):  # the environment overrides a default
                    return self.origins(right, False, depth + 1, seen)
                return self.origins(left, False, depth + 1, seen) + self.origins(right, False, depth + 1, seen)
            return [Origin(UNKNOWN)]
        if kind == "ternary_expression":
            branches = [node.child_by_field_name("consequence"), node.child_by_field_name("alternative")]
            return [o for b in branches for o in self.origins(b, False, depth + 1, seen)]
        return [Origin(UNKNOWN)]

    def literal_origin(self, node: Node, value: str) -> Origin:
        match = self.catalog.exact(value)
        if match is None:
            return Origin(CURRENT)
        if not match.model.is_primary:  # another provider's id: no thinking mode to follow, only its host
            return Origin(CURRENT, node=node)
        return Origin(RETIRED, match.model, node=node)

    def migrated_origin(self, left: Optional[Node], right: Optional[Node], site: Optional[Node] = None) -> Optional[Origin]:
        """This tool's own rewrite: `process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash"` (``site``)."""
        variable = self.env_variable(tree.unwrap(left))
        value = tree.string_value(tree.unwrap(right))
        if variable is None or value is None:
            return None
        for model in self.catalog.retired.values():  # DeepSeek's: another provider's rewrite carries no thinking mode
            if model.is_primary and value == model.replacement and variable in (model.env_var, "VITE_" + model.env_var):
                return Origin(MIGRATED, model, where=f"read from {variable}", site=site)
        return None

    def env_origin(self, variable: str) -> Origin:
        """`process.env.X`: the retired id an env file of the project sets X to, if one does."""
        imported = self.facts.env_value(variable)
        if imported is None:
            return Origin(UNKNOWN, where=f"read from {variable}")
        return Origin(imported.kind, imported.model, export=imported.export, where=imported.where)

    def is_env_read(self, node: Optional[Node]) -> bool:
        return self.env_variable(node) is not None

    def env_variable(self, node: Optional[Node]) -> Optional[str]:
        """``X`` for `process.env.X`, `process.env["X"]` and `import.meta.env.X`."""
        if node is None:
            return None
        if node.type == "member_expression":
            obj, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
        elif node.type == "subscript_expression":
            obj, prop = node.child_by_field_name("object"), node.child_by_field_name("index")
        else:
            return None
        if obj is None or prop is None or tree.text_of(obj) not in self.libraries.env_readers:
            return None
        return tree.text_of(prop) if prop.type == "property_identifier" else tree.string_value(prop)

    def name_origins(self, name: str, depth: int, seen: Set[int]) -> List[Origin]:
        if name in self.imports:
            specifier, imported = self.imports[name]
            return [self.imported_origin(specifier, imported)]
        found: List[Origin] = []
        for declarator in self.declarations.get(name, []):
            found += self.origins(declarator.child_by_field_name("value"), False, depth + 1, seen)
        for default in self.defaults.get(name, ()):
            found += self.origins(default, False, depth + 1, seen)
            found += self.passed_origins(default, name, depth, seen)
        return found or [Origin(UNKNOWN)]

    def passed_origins(self, default: Node, name: str, depth: int, seen: Set[int]) -> List[Origin]:
        """What the calls of this file pass for a parameter with a default (``model = "deepseek-chat"``,
        or a key of an options object, ``{ model = "deepseek-chat" }``): the default is only what a
        call that passes nothing sends. A spread argument, or options that are not an object
        literal, may pass anything; so may the callers of a function without a name. A
        constructor's calls are `new Class(...)`. (Calls in other modules decide the fix's
        safety instead: ``export_calls``, in the engine.)"""
        if default.id not in self._passed:
            self._passed[default.id] = []  # (a call in the function's own body that passes it on)
            self._passed[default.id] = self._passed_origins(default, name, depth, seen)
        return self._passed[default.id]

    def _passed_origins(self, default: Node, name: str, depth: int, seen: Set[int]) -> List[Origin]:
        parameter = parameter_of(default)
        if parameter is None:
            return []  # a destructuring in a body, not a parameter
        callee = callee_of(parameter.function)
        if callee is None:
            return [Origin(UNKNOWN)]
        called_by, by_new = callee
        found: List[Origin] = []
        for call in self.calls:
            called = tree.callee(call)
            if ((call.type == "new_expression") != by_new or called.rpartition(".")[2] != called_by
                    or self.libraries.request_for(called, by_new)):
                continue  # (a library's request named like the function is not one of its calls)
            values = tree.arguments(call)
            index = parameter.index
            if any(v.type == "spread_element" for v in values[: index + 1]):
                found.append(Origin(UNKNOWN))
            elif index < len(values) and parameter.key is None:
                found += self.origins(values[index], False, depth + 1, seen)
            elif index < len(values):
                found += self.option_origins(values[index], parameter.key, depth, seen)
        return found

    def option_origins(self, options: Node, key: str, depth: int, seen: Set[int]) -> List[Origin]:
        """What an options argument passes for ``key``: nothing when an object literal lacks it."""
        options = tree.unwrap(options)
        if options is None or options.type != "object":
            return [Origin(UNKNOWN)]
        if any(member.type == "spread_element" for member in tree.object_members(options)):
            return [Origin(UNKNOWN)]
        passed = tree.member_value(options, key)
        return self.origins(passed, False, depth + 1, seen) if passed is not None else []

    def imported_origin(self, specifier: str, name: str, provider: bool = False) -> Origin:
        imported = self.facts.imported(specifier, name)
        if imported is None or imported.provider != provider:  # a model object is not an id, nor the reverse
            return Origin(UNKNOWN)
        return Origin(imported.kind, imported.model, export=imported.export, where=imported.where)

    def member_origins(self, node: Node, depth: int, seen: Set[int]) -> List[Origin]:
        obj, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
        if obj is None or prop is None:
            return [Origin(UNKNOWN)]
        name = tree.text_of(prop)
        if obj.type == "identifier" and tree.text_of(obj) in self.namespaces:  # `cfg.CHAT_MODEL`
            return [self.imported_origin(self.namespaces[tree.text_of(obj)], name)]
        if obj.type == "this":  # a field of the class: its initializer and `this.name = ...` in it
            owner = tree.enclosing(node, "class_body")
            found: List[Origin] = []
            for value in self.field_values(owner, name) if owner is not None else ():
                found += self.origins(value, False, depth + 1, seen)
            return found or [Origin(UNKNOWN)]
        table = self.object_of(obj, depth + 1) if obj.type == "identifier" else None
        if table is not None:  # `MODELS.CHAT` of `const MODELS = { CHAT: "deepseek-chat" }`
            return self.origins(tree.member_value(table, name), False, depth + 1, seen)
        return [Origin(UNKNOWN)]

    @staticmethod
    def field_values(class_body: Node, name: str) -> Iterable[Node]:
        for node in tree.walk(class_body):
            if node.type in ("public_field_definition", "field_definition"):
                prop, value = node.child_by_field_name("name") or node.child_by_field_name("property"), node.child_by_field_name("value")
                if prop is not None and value is not None and tree.text_of(prop) == name:
                    yield value
            elif node.type == "assignment_expression":
                left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
                if (left is not None and right is not None and left.type == "member_expression"
                        and tree.text_of(left) == f"this.{name}"):
                    yield right
            elif node.type == "required_parameter":  # `constructor(private model = "...")`
                pattern, value = node.child_by_field_name("pattern"), node.child_by_field_name("value")
                if pattern is not None and value is not None and tree.text_of(pattern) == name and any(
                        c.type == "accessibility_modifier" for c in node.children):
                    yield value

    def provider_origins(self, node: Node, depth: int, seen: Set[int]) -> List[Origin]:
        """The model of an AI SDK request: a DeepSeek provider's `deepseek("id")`, through constants."""
        if node.type in ("identifier", "shorthand_property_identifier"):
            name = tree.text_of(node)
            if name in self.imports:  # a model made in another module: `export const chatModel = deepseek(...)`
                return [self.imported_origin(*self.imports[name], provider=True)]
            found: List[Origin] = []
            for value in self.declared_value(name):
                found += self.origins(value, True, depth + 1, seen)
            return found or [Origin(UNKNOWN)]
        if node.type == "member_expression":
            obj, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
            if obj is not None and prop is not None and obj.type == "identifier" and tree.text_of(obj) in self.namespaces:
                return [self.imported_origin(self.namespaces[tree.text_of(obj)], tree.text_of(prop), provider=True)]
            return [Origin(UNKNOWN)]
        if node.type != "call_expression":
            return [Origin(UNKNOWN)]  # a string is a gateway slug in the AI SDK (`"deepseek/deepseek-chat"`)
        if not self.is_deepseek_provider(node):
            return [Origin(UNKNOWN)]
        args = tree.arguments(node)
        return self.origins(args[0], False, depth + 1, seen) if args else [Origin(UNKNOWN)]

    def is_deepseek_provider(self, call: Node) -> bool:
        """`deepseek(...)`, `deepseek.chat(...)`, a provider made by `createDeepSeek({...})`
        (whose baseURL, if written, is DeepSeek's), or `createDeepSeek({...})(...)` itself."""
        name = tree.callee(call)
        if name in self.libraries.providers:
            values = self.declared_value(name.split(".")[0])
            return not values or (len(values) == 1 and self.is_factory_call(values[0]))
        func = tree.unwrap(call.child_by_field_name("function"))
        if func is not None and func.type == "member_expression":
            func = tree.unwrap(func.child_by_field_name("object"))
        if func is not None and func.type == "identifier":
            values = self.declared_value(tree.text_of(func))
            return len(values) == 1 and self.is_factory_call(values[0])
        return self.is_factory_call(func)

    def is_factory_call(self, node: Optional[Node]) -> bool:
        node = tree.unwrap(node)
        if node is None or node.type != "call_expression" or tree.callee(node) not in self.libraries.factories:
            return False
        args = tree.arguments(node)
        elsewhere, _ = self.url_verdict(self.base_url_in(self.object_of(args[0]) if args else None))
        return not elsewhere

    def gives_deepseek_model(self, call: Node) -> bool:
        """Whether the call's first argument is a model id of DeepSeek's API: a DeepSeek provider,
        or an OpenAI-compatible one made with DeepSeek's base URL (`createOpenAICompatible({...})`)."""
        if self.is_deepseek_provider(call):
            return True
        func = tree.unwrap(call.child_by_field_name("function"))
        if func is not None and func.type == "member_expression":
            func = tree.unwrap(func.child_by_field_name("object"))
        if func is not None and func.type == "identifier":
            values = self.declared_value(tree.text_of(func))
            func = tree.unwrap(values[0]) if len(values) == 1 else None
        if func is None or func.type != "call_expression" or tree.callee(func) not in self.libraries.compatible_factories:
            return False
        args = tree.arguments(func)
        _, deepseek = self.url_verdict(self.base_url_in(self.object_of(args[0]) if args else None))
        return deepseek

    def provider_of(self, literal: Node) -> Optional[Node]:
        """The provider call a string literal is the model id of: `deepseek("deepseek-chat")`."""
        parent = literal.parent
        if parent is None or parent.type != "arguments" or parent.parent is None:
            return None
        call = parent.parent
        if call.type == "call_expression" and tree.arguments(call)[:1] == [literal] and self.is_deepseek_provider(call):
            return call
        return None


@dataclass(frozen=True)
class Parameter:
    """The parameter a default value is given to."""

    function: Node
    index: int  # its position among the parameters
    name: str
    key: Optional[str] = None  # a key of an options object (`{ model = "..." } = {}`): ``name`` too


def parameter_of(default: Node) -> Optional[Parameter]:
    """The parameter of a function whose default ``default`` is: `model = "..."`, `model: string
    = "..."`, or a key of a destructured options object, `{ model = "..." } = {}`, also in the
    function's body from a parameter (`const { model = "..." } = config`); None for any other
    destructuring in a body."""
    holder = default.parent
    if holder is None:
        return None
    key: Optional[str] = None
    if holder.type == "object_assignment_pattern":
        left = holder.child_by_field_name("left")
        key = tree.text_of(left) if left is not None else None
        holder = holder.parent  # the object_pattern
    elif holder.type == "assignment_pattern" and holder.parent is not None and holder.parent.type == "pair_pattern":
        key = tree.key_name(holder.parent)  # `{ model: chosen = "..." }`
        holder = holder.parent.parent
    if key is not None and holder is not None and holder.parent is not None and holder.parent.type in (
            "required_parameter", "optional_parameter", "assignment_pattern"):
        holder = holder.parent  # `{ ... }: Options = {}`, `{ ... } = {}`
    elif key is not None and holder is not None and holder.parent is not None and holder.parent.type == "variable_declarator":
        holder = _parameter_named(holder.parent)  # `const { model = "..." } = config`, config a parameter
    parameters = holder.parent if holder is not None else None
    if parameters is None or parameters.type != "formal_parameters" or parameters.parent is None:
        return None
    index = [c.id for c in parameters.named_children if c.type != "comment"].index(holder.id)
    if key is not None:
        return Parameter(parameters.parent, index, key, key)
    target = holder.child_by_field_name("pattern") or holder.child_by_field_name("left")
    return Parameter(parameters.parent, index, tree.text_of(target) if target is not None else "")


def _parameter_named(declarator: Node) -> Optional[Node]:
    """The parameter a body's destructuring reads: `config` of `constructor(config = {})` in
    `const { model = "..." } = config` (in the function's own body, not a nested one's)."""
    value = tree.unwrap(declarator.child_by_field_name("value"))
    if value is None or value.type != "identifier":
        return None
    function = tree.enclosing(declarator, *_FUNCTIONS)
    parameters = function.child_by_field_name("parameters") if function is not None else None
    for param in parameters.named_children if parameters is not None else ():
        target = param.child_by_field_name("pattern") or param.child_by_field_name("left") or param
        if target.type == "identifier" and tree.text_of(target) == tree.text_of(value):
            return param
    return None


_FUNCTIONS = ("function_declaration", "generator_function_declaration", "function_expression", "function", "arrow_function",
              "method_definition", "generator_function")


def callee_of(function: Node) -> Optional[Tuple[str, bool]]:
    """(the name a function is called by, whether with `new`): a constructor is its class's."""
    if function.type == "method_definition" and tree.text_of(function.child_by_field_name("name") or function) == "constructor":
        cls = function.parent.parent if function.parent is not None else None
        name = cls.child_by_field_name("name") if cls is not None else None
        return (tree.text_of(name), True) if name is not None else None
    name = _function_name(function)
    return (name, False) if name is not None else None


def importable_name(function: Node) -> Optional[str]:
    """The name another module imports a function by, when it is at the top of its module: a
    function's (``ask``), a class's for its constructor (``Bot``), ``Class.method`` for a method,
    ``object.method`` for one of a module-level object (`export const llm = { ask(...) {} }`)."""
    holder = function.parent
    if holder is not None and holder.type == "pair":  # `{ ask: async (...) => ... }`
        holder = holder.parent
    if holder is not None and holder.type == "object":
        owner = _top_level_variable(holder)
        method = _function_name(function)
        return f"{owner}.{method}" if owner is not None and method is not None else None
    if holder is not None and holder.type == "class_body":
        cls = holder.parent
        name = cls.child_by_field_name("name") if cls is not None and _is_top_level(cls) else None
        method = callee_of(function) if function.type == "method_definition" else None
        if name is None or method is None:
            return None
        return tree.text_of(name) if method[1] else f"{tree.text_of(name)}.{method[0]}"
    if function.type in ("function_declaration", "generator_function_declaration"):
        return _function_name(function) if _is_top_level(function) else None
    return _top_level_variable(function)  # `export const ask = async (...) => ...`


def _is_top_level(statement: Node) -> bool:
    """A statement of the module itself (exported or not)."""
    parent = statement.parent
    if parent is not None and parent.type == "export_statement":
        parent = parent.parent
    return parent is not None and parent.type == "program"


def _top_level_variable(value: Node) -> Optional[str]:
    """The name of the module-level `const` (`let`, `var`) that ``value`` is the value of."""
    declarator = value.parent
    if declarator is None or declarator.type != "variable_declarator" or declarator.parent is None:
        return None
    name = declarator.child_by_field_name("name")
    if name is None or name.type != "identifier" or not _is_top_level(declarator.parent):
        return None
    return tree.text_of(name)


def _function_name(function: Optional[Node]) -> Optional[str]:
    """The name a function is called by: its own, a method's, or the variable or key it is the
    value of (``const chat = (...) => ...``, ``{ chat: async (...) => ... }``)."""
    if function is None:
        return None
    if function.type in ("function_declaration", "method_definition", "generator_function_declaration"):
        name = function.child_by_field_name("name")
        return tree.text_of(name) if name is not None else None
    holder = function.parent
    if holder is not None and holder.type == "variable_declarator":
        name = holder.child_by_field_name("name")
        return tree.text_of(name) if name is not None and name.type == "identifier" else None
    if holder is not None and holder.type == "pair":
        return tree.key_name(holder)
    return None

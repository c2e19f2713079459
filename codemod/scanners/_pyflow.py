"""Where the model of each request in a Python module comes from, and where its thinking mode
goes.

A retired id is usually written in one place and sent from another. This module follows the
model expression of every request call (``rules/libraries.toml`` says which calls those are)
back through the names it reads: module constants, class attributes and dataclass fields, a
parameter stored on ``self`` and its default, local variables, dict payloads, ``x or y`` and
``a if c else b``, ``os.getenv`` defaults and names imported from other modules of the project
(through ``ProjectFacts``). What it finds are ``Origin``s; a ``RequestPlan`` says what thinking
mode the request must send to behave as before, and the edit that sends it."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from codemod import libraries
from codemod.catalog import Catalog, RetiredModel
from codemod.ftypes import Edit, ExportCall, SourceText
from codemod.libraries import RequestShape
from codemod.pysource import TRIVIA, Visitor, dotted_name, item_insertion, keyword_arg, visit_tree
from codemod.scanners._literals import python_string

from codemod.scanners._origins import MIGRATED, OTHER, RETIRED, UNKNOWN, Facts, Origin  # noqa: F401 (re-exported)

GETENV_CALLS = ("os.getenv", "getenv", "os.environ.get", "environ.get", "os.environ.setdefault", "environ.setdefault")
MAX_STEPS = 64  # names followed for one expression


@dataclass
class RequestPlan:
    """One request: where its model comes from and what sending the old thinking mode takes."""

    call: cst.Call
    shape: RequestShape
    origins: List[Origin]
    model_node: cst.CSTNode  # what a finding at the request points at
    mode: Optional[str] = None  # the mode to send; None when the origins disagree or are unknown
    edits: Optional[List[Edit]] = None  # None: the mode cannot be sent here (see problem)
    explicit: bool = False  # the request already sends a thinking mode
    problem: str = ""

    @property
    def retired_origins(self) -> List[Origin]:
        return [o for o in self.origins if o.kind in (RETIRED, MIGRATED)]

    @property
    def fully_known(self) -> bool:
        return bool(self.origins) and all(o.kind in (RETIRED, MIGRATED) for o in self.origins)


class _Scope:
    def __init__(self, kind: str, node: cst.CSTNode, parent: Optional["_Scope"]):
        self.kind = kind  # "module", "class", "function"
        self.node = node
        self.parent = parent
        self.names: Dict[str, List[Tuple[Optional[cst.BaseExpression], "_Scope"]]] = {}
        self.params: Dict[str, Optional[cst.BaseExpression]] = {}
        self.imports: Dict[str, Tuple[str, Optional[str], int]] = {}  # local -> (module, attr, level)
        self.classes: Dict[str, "_Scope"] = {}
        self.bases: List[str] = []
        self.self_name: Optional[str] = None  # a method's first parameter
        self.cls: Optional["_Scope"] = None  # a method's class
        self.functions: Dict[str, "_Scope"] = {}
        self.annotations: Dict[str, str] = {}  # parameter -> the class it is annotated with
        self.returns: List[Optional[cst.BaseExpression]] = []
        self.updates: Dict[str, List[cst.Dict]] = {}  # name -> the dict literals of its `name.update({...})` calls

    def bind(self, name: str, value: Optional[cst.BaseExpression], scope: "_Scope") -> None:
        self.names.setdefault(name, []).append((value, scope))


class _Collector(Visitor):
    """One walk: the bindings of every scope, and the request calls with their scopes."""

    # (a name or a literal holds no binding and no call)
    unvisited = TRIVIA | {cst.Name, cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary}

    def __init__(self) -> None:
        super().__init__()
        self.module_scope: Optional[_Scope] = None
        self.scopes: List[_Scope] = []
        self.requests: List[Tuple[cst.Call, _Scope, RequestShape]] = []
        self.by_node: Dict[cst.CSTNode, _Scope] = {}  # the scope each module, class and function opens
        self.calls: Dict[str, List[Tuple[cst.Call, _Scope]]] = {}  # the calls, by the last name of their callee

    @property
    def scope(self) -> _Scope:
        return self.scopes[-1]

    def on_visit(self, node: cst.CSTNode) -> bool:
        node_type = type(node)
        if node_type is cst.Module:
            self.module_scope = _Scope("module", node, None)
            self.scopes.append(self.module_scope)
        elif node_type is cst.ClassDef:
            scope = _Scope("class", node, self.scope)
            scope.bases = [dotted_name(base.value) or "" for base in node.bases]
            self.scope.classes[node.name.value] = scope
            self.scope.bind(node.name.value, None, self.scope)
            self.scopes.append(scope)
        elif node_type is cst.FunctionDef:
            self.enter_function(node)
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        if type(original_node) in (cst.Module, cst.ClassDef, cst.FunctionDef):
            self.by_node[original_node] = self.scopes.pop()

    def enter_function(self, node: cst.FunctionDef) -> None:
        outer = self.scope
        outer.bind(node.name.value, None, outer)
        scope = _Scope("function", node, outer)
        outer.functions[node.name.value] = scope
        params = node.params
        ordered = list(params.posonly_params) + list(params.params)
        for param in ordered + list(params.kwonly_params):
            scope.params[param.name.value] = param.default
            if param.annotation is not None and isinstance(param.annotation.annotation, cst.Name):
                scope.annotations[param.name.value] = param.annotation.annotation.value
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                scope.params[star.name.value] = None
        decorators = {dotted_name(d.decorator) for d in node.decorators}
        if outer.kind == "class" and ordered and "staticmethod" not in decorators:
            scope.self_name = ordered[0].name.value
            scope.cls = outer
        self.scopes.append(scope)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self.bind_target(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self.bind_target(node.target, node.value)

    def visit_Return(self, node: cst.Return) -> None:
        if self.scope.kind == "function":
            self.scope.returns.append(node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.bind_target(node.target, None)

    def visit_For(self, node: cst.For) -> None:
        self.bind_target(node.target, None)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self.bind_target(node.asname.name, None)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self.bind_target(node.name.name, None)

    def bind_target(self, target: cst.BaseExpression, value: Optional[cst.BaseExpression]) -> None:
        scope = self.scope
        if isinstance(target, cst.Name):
            scope.bind(target.value, value, scope)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            method = scope if scope.kind == "function" else None
            if method is not None and method.cls is not None and target.value.value == method.self_name:
                method.cls.bind(target.attr.value, value, scope)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.bind_target(element.value, None)

    # An import holds names, dots and whitespace only: its children are not walked (imports are
    # about a third of a pruned module's nodes).

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            module = dotted_name(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.scope.imports[alias.asname.name.value] = (module, None, 0)
            else:
                first = module.split(".")[0]
                self.scope.imports[first] = (first, None, 0)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        module = dotted_name(node.module) if node.module is not None else ""
        level = len(node.relative)
        if isinstance(node.names, cst.ImportStar):
            return False
        for alias in node.names:
            name = alias.name.value if isinstance(alias.name, cst.Name) else ""
            local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
            self.scope.imports[local] = (module or "", name, level)
        return False

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (isinstance(func, cst.Attribute) and func.attr.value == "update" and isinstance(func.value, cst.Name)
                and len(node.args) == 1 and node.args[0].keyword is None and not node.args[0].star
                and isinstance(node.args[0].value, cst.Dict)):
            self.scope.updates.setdefault(func.value.value, []).append(node.args[0].value)
        callee = _call_name(node)
        self.calls.setdefault(callee.rpartition(".")[2], []).append((node, self.scope))
        name = self.imported_name(callee)
        if name:
            shape = libraries.shape_for(name)
            if shape is not None and (not shape.modules or self.is_from(_call_name(node).split(".")[0], shape)):
                self.requests.append((node, self.scope, shape))

    def imported_name(self, name: str) -> str:
        """The name a call has where it is defined: ``ChatDeepSeek`` for ``LC(...)`` after
        ``from langchain_deepseek import ChatDeepSeek as LC``."""
        head, dot, rest = name.partition(".")
        scope: Optional[_Scope] = self.scope
        while scope is not None:
            if head in scope.imports:
                module, attr, level = scope.imports[head]
                return (attr or head) + dot + rest if attr else name
            if head in scope.names:
                return name
            scope = scope.parent
        return name

    def is_from(self, head: str, shape: RequestShape) -> bool:
        """Whether the name a call starts with is the library's: imported from one of its
        modules, or not bound in this file at all (a snippet; a star import)."""
        scope: Optional[_Scope] = self.scope
        while scope is not None:
            if head in scope.imports:
                module, attr, level = scope.imports[head]
                return level == 0 and shape.from_module(module)
            if head in scope.names or head in scope.params or head in scope.classes:
                return False  # defined here: the project's own class or function of that name
            scope = scope.parent
        return True


def _call_name(call: cst.Call) -> str:
    """``a.b.c`` for a call of ``a.b.c``; ``chat.completions.create`` for ``OpenAI().chat.completions.create``."""
    name = dotted_name(call.func)
    if name is not None:
        return name
    func, parts = call.func, []
    while isinstance(func, cst.Attribute):
        parts.append(func.attr.value)
        func = func.value
    return ".".join(reversed(parts))


class ModuleFlow:
    """The request plans of one module."""

    def __init__(self, module: cst.Module, source: SourceText, catalog: Catalog,
                 span: Callable[[cst.CSTNode], Tuple[int, int]], facts: Optional[Facts] = None):
        self.source = source
        self.catalog = catalog
        self.span = span
        self.facts = facts or Facts()
        collector = _Collector()
        visit_tree(module, collector)
        self.module_scope = collector.module_scope
        self.scopes_by_node = collector.by_node
        self._tree_calls = collector.calls
        self._calls: Dict[str, List[Tuple[Optional[cst.Call], Optional[_Scope]]]] = {}
        self._passed: Dict[Tuple[int, str], List[Origin]] = {}
        self.plans: List[RequestPlan] = []
        self._request_calls = [call for call, _, _ in collector.requests]
        for call, scope, shape in collector.requests:
            plan = self.plan(call, scope, shape)
            if plan is not None:
                self.plans.append(plan)

    def scope_at(self, stack: Sequence[cst.CSTNode]) -> Optional[_Scope]:
        """The innermost scope of a node, from the visit's stack of its ancestors."""
        for node in reversed(stack):
            scope = self.scopes_by_node.get(node)
            if scope is not None:
                return scope
        return None

    # -- following values ---------------------------------------------------------------------

    def origins(self, expr: Optional[cst.BaseExpression], scope: _Scope, steps: Optional[List[int]] = None) -> List[Origin]:
        steps = steps if steps is not None else [0]
        steps[0] += 1
        if expr is None or steps[0] > MAX_STEPS:
            return [Origin(UNKNOWN)]
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            value = expr.evaluated_value
            if not isinstance(value, str):
                return [Origin(UNKNOWN)]
            match = self.catalog.exact(value)
            if match is None:
                return [Origin(OTHER)]
            if not match.model.is_primary:  # another provider's id: no thinking mode to follow
                return [Origin(OTHER)]
            if isinstance(expr, cst.SimpleString):
                return [Origin(RETIRED, match.model, node=expr)]
            return [Origin(UNKNOWN)]  # a built id is reported (DS004) and never fixed
        if isinstance(expr, cst.IfExp):
            return self.origins(expr.body, scope, steps) + self.origins(expr.orelse, scope, steps)
        if isinstance(expr, cst.BooleanOperation):
            return self.origins(expr.left, scope, steps) + self.origins(expr.right, scope, steps)
        if isinstance(expr, cst.Call):
            return self.call_origins(expr, scope, steps)
        if isinstance(expr, cst.Name):
            return self.name_origins(expr.value, scope, steps)
        if isinstance(expr, cst.Attribute):
            return self.attribute_origins(expr, scope, steps)
        if isinstance(expr, cst.Subscript):
            return self.environ_origins(expr)
        return [Origin(UNKNOWN)]

    def call_origins(self, call: cst.Call, scope: _Scope, steps: List[int]) -> List[Origin]:
        if dotted_name(call.func) in GETENV_CALLS and call.args:
            variable = _string(call.args[0].value)
            default = call.args[1].value if len(call.args) >= 2 else None
            migrated = self.migrated_model(variable, _string(default) if default is not None else None)
            if migrated is not None:
                return [Origin(MIGRATED, migrated, site=call)]
            set_to = self.facts.env_value(variable) if variable is not None else None
            if set_to is not None:  # an env file of the project sets it: that id is sent
                return [set_to]
            # a configured value is the user's choice; without one the default is sent
            return self.origins(default, scope, steps) if default is not None else [Origin(UNKNOWN)]
        return [Origin(UNKNOWN)]

    def environ_origins(self, expr: cst.Subscript) -> List[Origin]:
        """``os.environ["X"]``: the id an env file of the project sets X to, if one does."""
        if dotted_name(expr.value) in ("os.environ", "environ") and len(expr.slice) == 1:
            index = expr.slice[0].slice
            variable = _string(index.value) if isinstance(index, cst.Index) else None
            set_to = self.facts.env_value(variable) if variable is not None else None
            if set_to is not None:
                return [set_to]
        return [Origin(UNKNOWN)]

    def migrated_model(self, variable: Optional[str], default: Optional[str]) -> Optional[RetiredModel]:
        return migrated_model(self.catalog, variable, default)

    def name_origins(self, name: str, scope: _Scope, steps: List[int]) -> List[Origin]:
        current: Optional[_Scope] = scope
        first = True
        while current is not None:
            if current.kind == "class" and not first:
                current = current.parent  # a class body's names are not visible in its methods
                continue
            first = False
            found: List[Origin] = []
            if name in current.params:
                default = current.params[name]
                found += self.origins(default, current.parent or current, steps) if default is not None else [Origin(UNKNOWN)]
                if default is not None and current.kind == "function":
                    found += self.passed_origins(current, name, steps)
            for value, where in current.names.get(name, ()):
                found += self.origins(value, where, steps) if value is not None else [Origin(UNKNOWN)]
            if found:
                return found
            if name in current.imports:
                module, attr, level = current.imports[name]
                return [self.imported(module, attr, level)] if attr else [Origin(UNKNOWN)]
            current = current.parent
        return [Origin(UNKNOWN)]

    def passed_origins(self, function: _Scope, param: str, steps: List[int]) -> List[Origin]:
        """What the calls of this module pass for a parameter with a default: the default is only
        what a call that passes nothing sends (``chat("hi", model="deepseek-reasoner")`` sends its
        own). A call through ``*args`` or ``**kwargs``, or one that is not read, may pass
        anything; what a call the pruned tree lacks passes is followed at module level. (Calls in
        other modules are not seen.)"""
        key = (id(function.node), param)
        if key not in self._passed:
            self._passed[key] = []  # (a call in the function's own body that passes it on)
            self._passed[key] = self._passed_origins(function, param, steps)
        return self._passed[key]

    def _passed_origins(self, function: _Scope, param: str, steps: List[int]) -> List[Origin]:
        node = function.node
        constructor = node.name.value == "__init__" and function.cls is not None
        callee = function.cls.node.name.value if constructor else node.name.value
        ordered = [p.name.value for p in list(node.params.posonly_params) + list(node.params.params)]
        index = ordered.index(param) if param in ordered else None
        if index is not None and function.self_name is not None:
            index -= 1  # `self` is not written at the call
        found: List[Origin] = []
        for call, scope in self.calls_of(callee):
            if call is None or any(arg.star for arg in call.args):
                found.append(Origin(UNKNOWN))
                continue
            passed = keyword_arg(call, param)
            if passed is None and index is not None and index >= 0:
                positional = [arg for arg in call.args if arg.keyword is None]
                passed = positional[index] if index < len(positional) else None
            if passed is None:
                continue
            if scope is not None:
                found += self.origins(passed.value, scope, steps)
            else:  # (a node of its own tree: no edit may point at it)
                found += [replace(o, node=None, site=None) for o in self.origins(passed.value, self.module_scope, steps)]
        return found

    def calls_of(self, callee: str) -> List[Tuple[Optional[cst.Call], Optional[_Scope]]]:
        """Every ``callee(...)`` and ``x.callee(...)`` of the whole file, with its scope: found in
        the text, as a pruned tree lacks the statements that hold no id; one the tree lacks is
        parsed alone, without a scope (None where that fails, or past ``MAX_CALLS_READ``)."""
        if callee not in self._calls:
            text = self.source.text
            # a library's request named like the function (`.create(`) is not one of its calls
            requests = {self.span(call.func)[1] for call in self._request_calls if _call_name(call).endswith(callee)}
            in_tree = {self.span(call.func)[1]: (call, scope) for call, scope in self._tree_calls.get(callee, ())}
            calls: List[Tuple[Optional[cst.Call], Optional[_Scope]]] = []
            for match in re.finditer(rf"\b{re.escape(callee)}\s*\(", text):
                before = text[max(0, match.start() - 16):match.start()]
                if _DEFINES.search(before) or match.start() + len(callee) in requests:
                    continue
                if match.start() + len(callee) in in_tree:
                    calls.append(in_tree[match.start() + len(callee)])
                    continue
                if len(calls) == MAX_CALLS_READ:
                    calls.append((None, None))
                    break
                end = _closing_paren(text, match.end() - 1)
                try:
                    call = cst.parse_expression(callee + text[match.end() - 1:end]) if end is not None else None
                except (cst.ParserSyntaxError, RecursionError):
                    call = None
                calls.append((call if isinstance(call, cst.Call) else None, None))
            self._calls[callee] = calls
        return self._calls[callee]

    def export_calls(self, path: str) -> List[ExportCall]:
        """This module's calls of other modules' functions whose parameter default is a retired
        id, with the mode of what each argument passes: where one passes another mode, the
        thinking mode the function's request gets for its default would be wrong for it."""
        names = self.facts.function_names()
        found: List[ExportCall] = []
        for last in names & self._tree_calls.keys():
            for call, scope in self._tree_calls[last]:
                for group in self.called_functions(call, scope):
                    positional = tuple(self.mode_of(arg.value, scope) for arg in call.args if arg.keyword is None and not arg.star)
                    keywords = tuple((arg.keyword.value, self.mode_of(arg.value, scope)) for arg in call.args if arg.keyword is not None)
                    line = self.source.position(self.span(call)[0])[0]
                    found.append(ExportCall(group, f"{path}:{line}", positional, keywords, any(arg.star for arg in call.args)))
        return found

    def called_functions(self, call: cst.Call, scope: _Scope) -> List[str]:
        """The groups of the functions with an id default that a call may be of: the imported
        name called (``ask(...)``, ``llm.ask(...)``, ``LLM(...)``), or, for a method called on
        anything else (``bot.ask(...)``), that method of every module this one imports from."""
        callee = _call_name(call)
        head, _, rest = callee.partition(".")
        imported = _import_of(head, scope)
        if imported is not None:
            module, attr, level = imported
            if not rest:
                export = self.facts.functions_in(module, level).get(attr) if attr else None
                return [export.key] if export is not None else []
            if attr:  # `from app import llm`, then `llm.ask(...)`
                module = f"{module}.{attr}" if module else attr
            parts = rest.split(".")
            for cut in range(len(parts)):  # `app.llm.ask(...)` after `import app.llm`; `llm.LLM.create(...)`
                target = ".".join([module] + parts[:cut]) if module else ".".join(parts[:cut])
                export = self.facts.functions_in(target, level).get(".".join(parts[cut:])) if target else None
                if export is not None:
                    return [export.key]
        if not rest:
            return []
        method = "." + callee.rpartition(".")[2]
        imports = {value for s in _chain(scope) for value in s.imports.values()}
        return sorted({export.key for module, attr, level in imports
                       for target in ([module, f"{module}.{attr}" if module else attr] if attr else [module])
                       for name, export in self.facts.functions_in(target, level).items() if name.endswith(method)})

    def mode_of(self, expr: cst.BaseExpression, scope: _Scope) -> Optional[str]:
        return _single_mode(self.origins(expr, scope))

    def imported(self, module: str, name: str, level: int) -> Origin:
        return self.facts.value(module, name, level) or Origin(UNKNOWN)

    def attribute_origins(self, expr: cst.Attribute, scope: _Scope, steps: List[int]) -> List[Origin]:
        attr = expr.attr.value
        base = expr.value
        method = _method_scope(scope)
        if isinstance(base, cst.Name) and method is not None and base.value == method.self_name and method.cls is not None:
            return self.class_attribute(method.cls, attr, steps)
        dotted = dotted_name(base)
        if dotted is not None:
            module = self.module_named(dotted, scope)
            if module is not None:
                return [self.imported(module[0], attr, module[1])]
        if isinstance(base, cst.Name):
            cls = self.class_named(base.value, scope)
            if cls is not None:
                return self.class_attribute(cls, attr, steps)
            imported = self.imported_instance(base.value, scope, attr)
            if imported is not None:
                return imported
            instance = self.instance_of(base.value, scope)
            if instance is not None:
                cls, call = instance
                given = keyword_arg(call, attr)
                if given is not None:
                    return self.origins(given.value, scope, steps)
                positional = [Origin(UNKNOWN)] if any(a.keyword is None for a in call.args) else []
                return self.class_attribute(cls, attr, steps) + positional
        return [Origin(UNKNOWN)]

    def imported_instance(self, name: str, scope: _Scope, attr: str) -> Optional[List[Origin]]:
        """``cfg.model`` for ``cfg = Config()`` (no arguments) of a class imported from another
        module: the class attribute's value there, as the project's facts know it."""
        made = self.instance_call(name, scope)
        if made is None:
            return None
        call, where = made
        if call.args or not isinstance(call.func, cst.Name):
            return None
        current: Optional[_Scope] = where
        while current is not None:
            if call.func.value in current.imports:
                module, imported, level = current.imports[call.func.value]
                return [self.imported(module, f"{imported}.{attr}", level)] if imported else None
            current = current.parent
        return None

    def class_attribute(self, cls: _Scope, attr: str, steps: List[int], depth: int = 0) -> List[Origin]:
        found: List[Origin] = []
        for value, where in cls.names.get(attr, ()):
            found += self.origins(value, where, steps) if value is not None else [Origin(UNKNOWN)]
        if found or depth > 4:
            return found or [Origin(UNKNOWN)]
        for base in cls.bases:
            parent = self.class_named(base, cls.parent) if cls.parent is not None else None
            if parent is not None:
                return self.class_attribute(parent, attr, steps, depth + 1)
        return [Origin(UNKNOWN)]

    def class_named(self, name: str, scope: _Scope) -> Optional[_Scope]:
        current: Optional[_Scope] = scope
        while current is not None:
            if name in current.classes:
                return current.classes[name]
            current = current.parent
        return None

    def instance_of(self, name: str, scope: _Scope) -> Optional[Tuple[_Scope, cst.Call]]:
        """The class of this module, and the call, that made the only value bound to ``name``
        (or the class a parameter is annotated with)."""
        made = self.instance_call(name, scope)
        if made is None:
            return None
        call, where = made
        callee = dotted_name(call.func)
        cls = self.class_named(callee, where) if callee else None
        return (cls, call) if cls is not None else None

    def instance_call(self, name: str, scope: _Scope) -> Optional[Tuple[cst.Call, _Scope]]:
        """The call whose result is the only value of ``name`` in the nearest scope that binds
        it, with that scope; ``cfg: Config`` stands for ``Config()``, its fields as their defaults."""
        current: Optional[_Scope] = scope
        while current is not None:
            values = current.names.get(name)
            if not values and name in current.annotations and current.params.get(name) is None:
                return cst.Call(func=cst.Name(current.annotations[name])), current
            if values:
                value = values[0][0]
                return (value, values[0][1]) if len(values) == 1 and isinstance(value, cst.Call) else None
            current = current.parent
        return None

    def module_named(self, dotted: str, scope: _Scope) -> Optional[Tuple[str, int]]:
        """(module, level) when ``dotted`` names an imported module (``s``, ``app.settings``)."""
        head, _, rest = dotted.partition(".")
        current: Optional[_Scope] = scope
        while current is not None:
            if head in current.names or head in current.params:
                return None
            if head in current.imports:
                module, attr, level = current.imports[head]
                full = ".".join(p for p in (module, attr, rest) if p)
                return full, level
            current = current.parent
        return None

    # -- requests -------------------------------------------------------------------------------

    def plan(self, call: cst.Call, scope: _Scope, shape: RequestShape) -> Optional[RequestPlan]:
        payload = self.dict_literal(keyword_arg(call, shape.payload).value, scope) if shape.payload and keyword_arg(call, shape.payload) else None
        spread = self.spread_dict(call, scope)
        model_node = self.model_argument(call, shape)
        if model_node is None and payload is not None:
            model_node = _dict_value(payload, "model")
        if model_node is None and spread is not None:
            model_node = _dict_value(spread, "model")
        if model_node is None:  # params.update({"model": ...}), then create(**params): followed, never edited
            body = keyword_arg(call, shape.payload).value if shape.payload and keyword_arg(call, shape.payload) else None
            model_node = self.updated_model([a.value for a in call.args if a.star == "**"] + [body], scope)
        if model_node is None:
            return None
        origins = self.origins(model_node, scope)
        host = self.request_host(call, scope, shape)
        if host == "other":
            return None  # a client on another host: not DeepSeek's API
        deepseek = shape.always_deepseek or host == "api" or any(o.kind in (RETIRED, MIGRATED) for o in origins) or any(
            self.is_deepseek_string(o) for o in origins
        )
        if not deepseek:
            return None
        plan = RequestPlan(call, shape, origins, model_node)
        quote = _quote(model_node) or next((_quote(o.node) for o in origins if o.node is not None), None) or '"'
        mode_code = self.decide_mode(plan, scope, quote)
        target = spread if (spread is not None and _dict_value(spread, "model") is model_node) else None
        plan.explicit, plan.edits, plan.problem = self.placement(
            call, shape, payload, target, mode_code or python_string("disabled", quote), quote)
        if plan.mode is None and not plan.explicit:
            plan.edits = None
            plan.problem = plan.problem or self.why_undecided(plan)
        return plan

    def decide_mode(self, plan: RequestPlan, scope: _Scope, quote: str = '"') -> Optional[str]:
        """The code of the thinking type to send (``"disabled"``, in the file's quote), setting
        ``plan.mode``; a conditional one for ``"deepseek-reasoner" if think else CHAT_MODEL``;
        None when the model's origins do not decide it."""
        mode = _single_mode(plan.origins)
        if mode is not None:
            plan.mode = mode
            return python_string(mode, quote)
        node = plan.model_node
        if isinstance(node, cst.IfExp) and _is_pure(node.test):
            when_true = _single_mode(self.origins(node.body, scope))
            when_false = _single_mode(self.origins(node.orelse, scope))
            if when_true is not None and when_false is not None:
                start, end = self.span(node.test)
                test = self.source.text[start:end]
                if "\n" in test or "\r" in test:
                    return None
                plan.mode = f"{when_true} if {test} else {when_false}"
                return f"{python_string(when_true, quote)} if {test} else {python_string(when_false, quote)}"
        return None

    def why_undecided(self, plan: RequestPlan) -> str:
        modes = sorted({o.thinking or "default" for o in plan.retired_origins})
        if len(modes) > 1:
            return f"its model can be ids with thinking {' or '.join(modes)}"
        return "its model is not known here"

    def is_deepseek_string(self, origin: Origin) -> bool:
        return False

    def model_argument(self, call: cst.Call, shape: RequestShape) -> Optional[cst.BaseExpression]:
        if shape.model:
            arg = keyword_arg(call, shape.model)
            if arg is not None:
                return arg.value
        if shape.model_position is not None:
            positional = [a for a in call.args if a.keyword is None and not a.star]
            if len(positional) > shape.model_position and all(not a.star for a in call.args[: shape.model_position + 1]):
                return positional[shape.model_position].value
        return None

    def updated_model(self, bodies: Sequence[Optional[cst.BaseExpression]], scope: _Scope) -> Optional[cst.BaseExpression]:
        """The model a request body (``**params``, ``json=payload``) got from the last
        ``params.update({"model": ...})`` of the scope that binds the name. Only to follow the
        model: the dict is not the whole body (what else it holds is not known here), so the
        thinking mode is never added to it."""
        for body in bodies:
            if not isinstance(body, cst.Name):
                continue
            current: Optional[_Scope] = scope
            while current is not None:
                if body.value in current.updates or body.value in current.names or body.value in current.params:
                    models = [_dict_value(d, "model") for d in current.updates.get(body.value, ())]
                    models = [m for m in models if m is not None]
                    if models:
                        return models[-1]
                    break
                current = current.parent
        return None

    def spread_dict(self, call: cst.Call, scope: _Scope) -> Optional[cst.Dict]:
        for arg in call.args:
            if arg.star == "**":
                return self.dict_literal(arg.value, scope)
        return None

    def dict_literal(self, expr: Optional[cst.BaseExpression], scope: _Scope, depth: int = 0) -> Optional[cst.Dict]:
        """The one dict literal an expression evaluates to: a name bound once to one, or a call
        of a function of this module that returns one."""
        if isinstance(expr, cst.Dict) or depth > 4:
            return expr if isinstance(expr, cst.Dict) else None
        if isinstance(expr, cst.Name):
            current: Optional[_Scope] = scope
            while current is not None:
                values = current.names.get(expr.value)
                if values:
                    return self.dict_literal(values[0][0], values[0][1], depth + 1) if len(values) == 1 else None
                current = current.parent
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name):
            current = scope
            while current is not None:
                function = current.functions.get(expr.func.value)
                if function is not None:
                    returns = function.returns
                    return self.dict_literal(returns[0], function, depth + 1) if len(returns) == 1 else None
                current = current.parent
        return None

    def request_host(self, call: cst.Call, scope: _Scope, shape: RequestShape) -> Optional[str]:
        """"api" for a DeepSeek API host, "other" for any other host, None when not known."""
        url_args = [a.value for a in call.args if a.keyword is not None and a.keyword.value in ("base_url", "api_base", "openai_api_base", "url")]
        if shape.payload:
            url_args += [a.value for a in call.args[:1] if a.keyword is None]
        for value in url_args:
            kind = self.host_kind(value, scope)
            if kind is not None:
                return kind
        receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
        while isinstance(receiver, cst.Attribute) and not _is_client_attribute(receiver, scope, self):
            receiver = receiver.value
        made = self.client_call(receiver, scope) if receiver is not None else None
        if made is not None:
            client, where = made
            for arg in client.args:
                if arg.keyword is not None and arg.keyword.value in ("base_url", "api_base", "openai_api_base"):
                    return self.host_kind(arg.value, where)
        return None

    def client_call(self, receiver: cst.BaseExpression, scope: _Scope) -> Optional[Tuple[cst.Call, _Scope]]:
        """The constructor call that made ``receiver`` (``client``, ``self.client``, ``OpenAI(...)``),
        with the scope it was made in (where its arguments' names are)."""
        if isinstance(receiver, cst.Call):
            return receiver, scope
        values: Sequence[Tuple[Optional[cst.BaseExpression], _Scope]] = ()
        if isinstance(receiver, cst.Name):
            current: Optional[_Scope] = scope
            while current is not None and not values:
                values = current.names.get(receiver.value, ())
                current = current.parent
        elif isinstance(receiver, cst.Attribute) and isinstance(receiver.value, cst.Name):
            method = _method_scope(scope)
            if method is not None and method.cls is not None and receiver.value.value == method.self_name:
                values = method.cls.names.get(receiver.attr.value, ())
        calls = [(v, where) for v, where in values if isinstance(v, cst.Call)]
        return calls[0] if len(calls) == 1 and len(values) == 1 else None

    def host_kind(self, expr: cst.BaseExpression, scope: _Scope) -> Optional[str]:
        """Whether the URL an expression builds is on a DeepSeek API host ("api") or another
        one ("other"), from the string literals it is built of; None when none says."""
        kinds = set()
        for text in self.url_texts(expr, scope, 0):
            info = self.catalog.classify_url(text)
            if info is not None:
                kinds.add("api" if info.is_deepseek_api else "other")
        return kinds.pop() if len(kinds) == 1 else None

    def url_texts(self, expr: cst.BaseExpression, scope: _Scope, depth: int) -> List[str]:
        if depth > 4:
            return []
        if isinstance(expr, cst.SimpleString):
            value = expr.evaluated_value
            return [value] if isinstance(value, str) else []
        if isinstance(expr, cst.FormattedString):
            parts = [p for p in expr.parts]
            first = parts[0] if parts else None
            if isinstance(first, cst.FormattedStringText):
                return [first.value]
            if isinstance(first, cst.FormattedStringExpression):
                return self.url_texts(first.expression, scope, depth + 1)
            return []
        if isinstance(expr, cst.BinaryOperation):
            return self.url_texts(expr.left, scope, depth + 1)
        if isinstance(expr, (cst.BooleanOperation, cst.IfExp)):  # `configured or "https://api.deepseek.com"`
            parts = (expr.left, expr.right) if isinstance(expr, cst.BooleanOperation) else (expr.body, expr.orelse)
            return [t for part in parts for t in self.url_texts(part, scope, depth + 1)]
        if isinstance(expr, cst.Call) and dotted_name(expr.func) in GETENV_CALLS and len(expr.args) >= 2:
            return self.url_texts(expr.args[1].value, scope, depth + 1)
        if isinstance(expr, cst.Name):
            current: Optional[_Scope] = scope
            while current is not None:
                values = current.names.get(expr.value)
                if values:
                    return [t for value, where in values if value is not None for t in self.url_texts(value, where, depth + 1)]
                current = current.parent
        return []

    # -- where the thinking mode goes --------------------------------------------------------------

    def placement(self, call: cst.Call, shape: RequestShape, payload: Optional[cst.Dict], spread: Optional[cst.Dict],
                  mode_code: str, q: str = '"') -> Tuple[bool, Optional[List[Edit]], str]:
        """(sends one already, the edits that send the thinking type ``mode_code``, why it
        cannot be sent); ``q``: the quote the file's id used."""
        thinking_value = f"{{{q}type{q}: {mode_code}}}"
        entry = f"{q}thinking{q}: {thinking_value}"
        kind = shape.spread if spread is not None else shape.thinking
        if kind == "none":
            return False, None, f"a {shape.library} request takes no thinking mode"
        if any(keyword_arg(call, switch) is not None for switch in shape.switches):
            return True, [], ""  # `use_thinking=True`: the mode the call chose is its own
        if kind == "payload":
            body = payload if payload is not None else spread
            if body is None:
                return False, None, "its JSON body is not a dict literal here"
            if _dict_value(body, "thinking") is not None:
                return True, [], ""
            return False, [self.dict_entry(body, entry)], ""
        if spread is not None:
            if kind == "extra_body":
                if keyword_arg(call, "extra_body") is not None:
                    return self.extra_body(call, entry)
                extra = _dict_value(spread, "extra_body")
                if extra is None:
                    return False, [self.dict_entry(spread, f"{q}extra_body{q}: {{{entry}}}")], ""
                if not isinstance(extra, cst.Dict):
                    return False, None, "the extra_body of its **params dict is not a dict literal here"
                if _dict_value(extra, "thinking") is not None:
                    return True, [], ""
                return False, [self.dict_entry(extra, entry)], ""
            if kind == "parameter":
                if _dict_value(spread, "thinking") is not None or keyword_arg(call, "thinking") is not None:
                    return True, [], ""
                return False, [self.dict_entry(spread, entry)], ""
        if any(arg.star == "**" for arg in call.args):
            return False, None, "it passes **kwargs that may hold a thinking mode"
        if kind == "extra_body":
            return self.extra_body(call, entry)
        if kind == "parameter":
            if keyword_arg(call, "thinking") is not None:
                return True, [], ""
            return False, [self.argument(call, f"thinking={thinking_value}")], ""
        if kind == "model_settings":
            settings = keyword_arg(call, shape.settings)
            if settings is None:
                return False, [self.argument(call, f"{shape.settings}={{{q}extra_body{q}: {{{entry}}}}}")], ""
            if not isinstance(settings.value, cst.Dict):
                return False, None, f"its {shape.settings} is not a dict literal here"
            extra = _dict_value(settings.value, "extra_body")
            if extra is None:
                return False, [self.dict_entry(settings.value, f"{q}extra_body{q}: {{{entry}}}")], ""
            if not isinstance(extra, cst.Dict):
                return False, None, "its model_settings extra_body is not a dict literal here"
            if _dict_value(extra, "thinking") is not None:
                return True, [], ""
            return False, [self.dict_entry(extra, entry)], ""
        return False, None, f"unknown placement {kind}"

    def extra_body(self, call: cst.Call, entry: str) -> Tuple[bool, Optional[List[Edit]], str]:
        extra = keyword_arg(call, "extra_body")
        if extra is None:
            if any(arg.star == "**" for arg in call.args):
                return False, None, "it passes **kwargs that may hold an extra_body"
            return False, [self.argument(call, f"extra_body={{{entry}}}")], ""
        if isinstance(extra.value, cst.Dict):
            if _dict_value(extra.value, "thinking") is not None:
                return True, [], ""
            return False, [self.dict_entry(extra.value, entry)], ""
        start, end = self.span(extra.value)
        inner = self.source.text[start:end]
        simple = isinstance(extra.value, (cst.Name, cst.Attribute, cst.Call, cst.Subscript))
        spread = inner if simple and not extra.value.lpar else f"({inner})"
        # the dict's own thinking, should it hold one, still wins
        return False, [Edit(start, end, f"{{{entry}, **{spread}}}")], ""

    def argument(self, call: cst.Call, text: str) -> Edit:
        return self.item(call.args[-1] if call.args else None, call, text)

    def dict_entry(self, node: cst.Dict, entry: str) -> Edit:
        return self.item(node.elements[-1] if node.elements else None, node, entry)

    def item(self, last: Optional[cst.CSTNode], bracketed: cst.CSTNode, text: str) -> Edit:
        closer = self.span(bracketed)[1] - 1  # a node's range excludes its own parentheses
        offset, inserted = item_insertion(self.source, self.span, last, closer, text)
        return Edit(offset, offset, inserted)


def _chain(scope: Optional[_Scope]) -> List[_Scope]:
    chain: List[_Scope] = []
    while scope is not None:
        chain.append(scope)
        scope = scope.parent
    return chain


def _import_of(name: str, scope: _Scope) -> Optional[Tuple[str, Optional[str], int]]:
    """What ``name`` is imported as in ``scope`` (module, attribute, level); None when a binding
    of the name comes first, or it is not imported."""
    for current in _chain(scope):
        if name in current.imports:
            return current.imports[name]
        if name in current.names or name in current.params:
            return None
    return None


def _method_scope(scope: _Scope) -> Optional[_Scope]:
    current: Optional[_Scope] = scope
    while current is not None and current.kind != "function":
        current = current.parent
    while current is not None and current.kind == "function" and current.cls is None:
        current = current.parent if current.parent is not None and current.parent.kind == "function" else None
    return current


def _is_client_attribute(node: cst.Attribute, scope: _Scope, flow: ModuleFlow) -> bool:
    """``self.client`` in ``self.client.chat.completions.create``: an attribute of self."""
    method = _method_scope(scope)
    return isinstance(node.value, cst.Name) and method is not None and node.value.value == method.self_name


def migrated_model(catalog: Catalog, variable: Optional[str], default: Optional[str]) -> Optional[RetiredModel]:
    """The retired model whose rewrite by this tool reads ``variable`` with ``default``."""
    if variable is None or default is None:
        return None
    for model in catalog.retired.values():  # DeepSeek's: another provider's rewrite carries no thinking mode
        if model.is_primary and model.env_var == variable and default.endswith(model.replacement):
            return model
    return None


def _quote(node: Optional[cst.CSTNode]) -> Optional[str]:
    return node.quote[0] if isinstance(node, cst.SimpleString) else None


MAX_CALL_LENGTH = 20_000  # characters of a call's arguments read, past which it may pass anything
MAX_CALLS_READ = 200  # calls of one function read from the text; the others may pass anything
_DEFINES = re.compile(r"\b(?:def|class)\s+$")


def _closing_paren(text: str, opening: int) -> Optional[int]:
    """The offset just past the ``)`` that closes the ``(`` at ``opening``, skipping strings and
    comments; None when it is not found within ``MAX_CALL_LENGTH``."""
    depth, index, end = 0, opening, min(len(text), opening + MAX_CALL_LENGTH)
    while index < end:
        char = text[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return index + 1
        elif char == "#":
            newline = text.find("\n", index)
            index = end if newline < 0 else newline
            continue
        elif char in "'\"":
            quote = text[index:index + 3] if text[index:index + 3] in ('"""', "'''") else char
            index += len(quote)
            while index < end and not text.startswith(quote, index):
                index += 2 if text[index] == "\\" else 1
            index += len(quote)
            continue
        index += 1
    return None


def _single_mode(origins: Sequence[Origin]) -> Optional[str]:
    """The one thinking mode every origin implies, or None."""
    modes = {o.thinking for o in origins}
    if origins and all(o.kind in (RETIRED, MIGRATED) for o in origins) and len(modes) == 1:
        return modes.pop()
    return None


def _is_pure(node: cst.BaseExpression) -> bool:
    """An expression that can be evaluated twice with no effect: names, attributes, constants
    and comparisons or boolean operations of them."""
    if isinstance(node, (cst.Name, cst.Integer, cst.SimpleString)):
        return True
    if isinstance(node, cst.Attribute):
        return _is_pure(node.value)
    if isinstance(node, cst.UnaryOperation):
        return _is_pure(node.expression)
    if isinstance(node, cst.BooleanOperation):
        return _is_pure(node.left) and _is_pure(node.right)
    if isinstance(node, cst.Comparison):
        return _is_pure(node.left) and all(_is_pure(c.comparator) for c in node.comparisons)
    return False


def _string(node: Optional[cst.BaseExpression]) -> Optional[str]:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _dict_value(node: cst.Dict, key: str) -> Optional[cst.BaseExpression]:
    for element in node.elements:
        if isinstance(element, cst.DictElement) and _string(element.key) == key:
            return element.value
    return None

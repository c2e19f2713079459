"""The request shapes of the Python LLM libraries, read from ``rules/libraries.toml``: which
calls send a request (or build a client that does), where their model is, and where each one
takes the thinking mode. Data, so that a library is a table entry and not a branch in a scanner."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Tuple

from codemod.catalog import rules_dir, tomllib

PLACEMENTS = ("extra_body", "model_settings", "payload", "parameter", "none")


@dataclass(frozen=True)
class RequestShape:
    library: str
    calls: Tuple[str, ...]
    thinking: str  # one of PLACEMENTS
    model: Optional[str] = None  # keyword of the model argument
    model_position: Optional[int] = None
    payload: Optional[str] = None  # keyword of a JSON body dict that holds the model
    spread: Optional[str] = None  # what a **params dict holding the model gets
    always_deepseek: bool = False
    constructor: bool = False
    settings: str = "model_settings"  # the keyword of a model_settings placement
    modules: Tuple[str, ...] = ()  # where the called name must come from, when it is imported
    switches: Tuple[str, ...] = ()  # keywords that set the library's own thinking mode (agno's `use_thinking`)

    def from_module(self, module: str) -> bool:
        """Whether a name imported from ``module`` is this library's."""
        return not self.modules or any(module == m or module.startswith(m + ".") for m in self.modules)

    def matches(self, dotted: str) -> bool:
        last = dotted.rpartition(".")[2]
        for call in self.calls:
            if "." in call:
                if dotted == call or dotted.endswith("." + call):
                    return True
            elif last == call:
                return True
        return False


@lru_cache(maxsize=1)
def shapes() -> Tuple[RequestShape, ...]:
    with open(rules_dir() / "libraries.toml", "rb") as fh:
        data = tomllib.load(fh)
    found = []
    for entry in data.get("request", ()):
        thinking = entry.get("thinking", "none")
        spread = entry.get("spread")
        if thinking not in PLACEMENTS or (spread is not None and spread not in PLACEMENTS):
            raise ValueError(f"rules/libraries.toml: {entry.get('library')!r}: unknown thinking placement")
        found.append(
            RequestShape(
                library=str(entry["library"]),
                calls=tuple(entry["calls"]),
                thinking=thinking,
                model=entry.get("model"),
                model_position=entry.get("model_position"),
                payload=entry.get("payload"),
                spread=spread,
                always_deepseek=entry.get("deepseek") == "always",
                constructor=bool(entry.get("constructor", False)),
                settings=str(entry.get("settings", "model_settings")),
                modules=tuple(entry.get("modules", ())),
                switches=tuple(entry.get("switches", ())),
            )
        )
    return tuple(found)


def shape_for(dotted: str) -> Optional[RequestShape]:
    """The first shape whose calls match ``dotted`` (``client.chat.completions.create``)."""
    for shape in shapes():
        if shape.matches(dotted):
            return shape
    return None


@lru_cache(maxsize=1)
def call_words() -> Tuple[str, ...]:
    """The last names of every request call: the statements that hold one are kept when a
    Python file is pruned, since a retired id may reach them from elsewhere."""
    return tuple(sorted({call.rpartition(".")[2] for shape in shapes() for call in shape.calls}))


# -- JavaScript/TypeScript (rules/libraries_js.toml) ----------------------------------------------


@dataclass(frozen=True)
class JsRequestShape:
    library: str
    calls: Tuple[str, ...]
    argument: int  # the object argument that holds the model and gets the thinking mode
    model_keys: Tuple[str, ...]
    thinking: Optional[Tuple[str, ...]]  # the keys under which `thinking` goes; None: not taken
    new: bool = False
    body: Optional[str] = None  # the options key whose value is the JSON body (fetch)
    provider: bool = False  # the model is an AI SDK provider's model object
    always_deepseek: bool = False
    typescript_spread: bool = False  # in TypeScript, `...{ thinking: {...} }`: the request type has no `thinking`
    needs: Optional[Tuple[str, str]] = None  # (package, version) from which the thinking mode is read
    docs: str = ""

    def matches(self, callee: str, new: bool) -> bool:
        if new != self.new:
            return False
        return any(callee == call or ("." in call and callee.endswith("." + call)) for call in self.calls)


@dataclass(frozen=True)
class JsLibraries:
    requests: Tuple[JsRequestShape, ...]
    providers: Tuple[str, ...]  # calls that give a DeepSeek model object: deepseek("id")
    factories: Tuple[str, ...]  # calls that make a DeepSeek provider: createDeepSeek({...})
    compatible_factories: Tuple[str, ...]  # DeepSeek's when their baseURL is
    client_constructors: Tuple[str, ...]
    base_url_keys: Tuple[str, ...]
    env_readers: Tuple[str, ...]
    model_keys: Tuple[str, ...]
    browser_modules: Tuple[str, ...] = ()  # a file that imports one runs in a browser, where `process` may not exist
    browser_bundlers: Tuple[str, ...] = ()  # a package that builds with one defines no `process` in the browser

    def request_for(self, callee: str, new: bool) -> Optional[JsRequestShape]:
        return next((shape for shape in self.requests if shape.matches(callee, new)), None)


@lru_cache(maxsize=1)
def js_libraries() -> JsLibraries:
    with open(rules_dir() / "libraries_js.toml", "rb") as fh:
        data = tomllib.load(fh)
    requests = []
    for entry in data.get("request", ()):
        thinking = entry.get("thinking", "none")
        if thinking != "none" and not (isinstance(thinking, list) and all(isinstance(k, str) for k in thinking)):
            raise ValueError(f"rules/libraries_js.toml: {entry.get('library')!r}: thinking is a list of keys or \"none\"")
        requests.append(JsRequestShape(
            library=str(entry["library"]),
            calls=tuple(entry["calls"]),
            argument=int(entry.get("argument", 0)),
            model_keys=tuple(entry.get("model", ("model",))),
            thinking=None if thinking == "none" else tuple(thinking),
            new=bool(entry.get("new", False)),
            body=entry.get("body"),
            provider=bool(entry.get("provider", False)),
            always_deepseek=entry.get("deepseek") == "always",
            typescript_spread=entry.get("typescript") == "spread",
            needs=(str(entry["needs"]["package"]), str(entry["needs"]["version"])) if "needs" in entry else None,
            docs=str(entry.get("docs", "")),
        ))
    providers, clients = data.get("providers", {}), data.get("clients", {})
    return JsLibraries(
        requests=tuple(requests),
        providers=tuple(providers.get("deepseek", ())),
        factories=tuple(providers.get("factories", ())),
        compatible_factories=tuple(providers.get("compatible_factories", ())),
        client_constructors=tuple(clients.get("constructors", ())),
        base_url_keys=tuple(clients.get("base_url_keys", ())),
        env_readers=tuple(clients.get("env_readers", ())),
        model_keys=tuple(data.get("values", {}).get("model_keys", ("model",))),
        browser_modules=tuple(data.get("browser", {}).get("modules", ())),
        browser_bundlers=tuple(data.get("browser", {}).get("bundlers", ())),
    )

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

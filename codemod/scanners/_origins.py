"""What the flow analysis of a Python file is told about the rest of the project: where a
value comes from (``Origin``) and what other modules define (``Facts``). Free of LibCST, so the
project-wide facts (``codemod.project``) cost no parser import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Optional, Set

from codemod.catalog import RetiredModel

RETIRED = "retired"  # a retired id literal
MIGRATED = "migrated"  # this tool's own rewrite: os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")
OTHER = "other"  # a known string that is not a retired id
UNKNOWN = "unknown"  # read at run time, or from somewhere this module cannot see


@dataclass(frozen=True)
class Origin:
    kind: str
    model: Optional[RetiredModel] = None
    node: Optional[Any] = None  # the retired literal, when it is in this file
    export: Optional[str] = None  # the key of a retired value defined in another file
    where: str = ""  # the other file's path and line, for messages
    site: Optional[Any] = None  # this tool's own rewrite, when it is in this file

    @property
    def thinking(self) -> Optional[str]:
        return self.model.thinking if self.model is not None else None


class Facts:
    """What the project knows about other modules: ``value`` answers for ``from module import
    name`` (``level`` dots of a relative import), or None when it knows nothing."""

    def value(self, module: str, name: str, level: int) -> Optional[Origin]:
        return None

    def env_value(self, variable: str) -> Optional[Origin]:
        """The retired id the project's env files set ``variable`` to, or None."""
        return None

    def table_with(self, module: str, level: int, legacy: str) -> Optional[str]:
        """The file of ``module`` when a dict literal there is keyed by ``legacy``, or None."""
        return None

    def names(self) -> FrozenSet[str]:
        """The names other modules define that this file may read."""
        return frozenset()

    def groups_in(self, module: str, level: int, legacy: str) -> Set[str]:
        """The fix groups of the constants of ``module`` that hold ``legacy``."""
        return set()

    def function_names(self) -> FrozenSet[str]:
        """The last names of other modules' functions with a retired id as a parameter default."""
        return frozenset()

    def functions_in(self, module: str, level: int) -> Dict[str, Any]:
        """Those functions of the module an import names, by name (``Class.method`` for a
        method, ``Class`` for a constructor): each with ``key``."""
        return {}

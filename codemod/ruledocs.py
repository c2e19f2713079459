"""Rule documentation and examples, read from ``rules/<CODE>.toml``: one rule per file."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, FrozenSet, List

from codemod.catalog import rules_dir, tomllib

SECTIONS = (("what", "What it does"), ("why", "Why"), ("example", "Example"), ("use_instead", "Use instead"), ("fix_safety", "Fix safety"))
DOCS_URL = "https://github.com/v4-migrate/v4-migrate/blob/main/rules/{code}.toml"


@dataclass(frozen=True)
class RuleDoc:
    code: str
    name: str
    summary: str
    default: bool
    fix: str  # "safe", "unsafe" or "none"
    sections: Dict[str, str]
    valid: List[Dict[str, Any]] = field(default_factory=list)
    invalid: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def help_uri(self) -> str:
        return DOCS_URL.format(code=self.code)

    def explain(self) -> str:
        lines = [f"{self.code} ({self.name}): {self.summary}", ""]
        for key, title in SECTIONS:
            lines += [f"## {title}", self.sections.get(key, "").strip(), ""]
        return "\n".join(lines).rstrip() + "\n"


@lru_cache(maxsize=1)
def load_rule_docs() -> Dict[str, RuleDoc]:
    docs = {}
    for path in sorted(rules_dir().glob("DS*.toml")):
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: invalid rule file: {exc}") from None
        docs[data["code"]] = RuleDoc(
            code=data["code"],
            name=data["name"],
            summary=data["summary"],
            default=bool(data.get("default", True)),
            fix=data.get("fix", "none"),
            sections={key: data.get(key, "") for key, _ in SECTIONS},
            valid=list(data.get("valid", [])),
            invalid=list(data.get("invalid", [])),
        )
    return docs


@lru_cache(maxsize=1)
def default_codes() -> FrozenSet[str]:  # (asked twice per Python scan)
    return frozenset(code for code, doc in load_rule_docs().items() if doc.default)

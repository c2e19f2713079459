"""Reads the catalog in ``rules/`` and answers the questions every scanner asks of it:
is this string a retired id, where do retired ids stand in this text, what is this URL."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from codemod import deadline

try:  # pragma: no cover - exercised on Python < 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib  # type: ignore[no-redef]

RULES_DIR_NAMES = ("rules",)
MAX_MATCHED_PATH = 256  # URL paths longer than this are never taken for an expired endpoint


def rules_dir() -> Path:
    """The catalog's folder: ``codemod/rules`` in a wheel, ``rules/`` beside the package in a
    source checkout or an editable install."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if (candidate / "catalog.toml").is_file():
            return candidate
    raise FileNotFoundError("v4-migrate: the rules catalog (rules/catalog.toml) is missing from this install")


class CatalogError(ValueError):
    """A catalog or an override in pyproject.toml is malformed."""


@dataclass(frozen=True)
class RetiredModel:
    id: str
    retired_at: datetime
    replacement: str
    thinking: Optional[str]  # "enabled", "disabled", or None when the mode does not matter
    env_var: str
    note: str = ""


@dataclass(frozen=True)
class IdMatch:
    """A retired id found in a string: ``text[start:end]`` is ``prefix + model.id``."""

    start: int
    end: int
    model: RetiredModel
    prefix: str

    @property
    def legacy(self) -> str:
        return self.prefix + self.model.id

    @property
    def replacement(self) -> str:
        return self.prefix + self.model.replacement


@dataclass(frozen=True)
class UrlInfo:
    kind: str  # "api" (a current path), "expired", "api-other-path", "not-api", "other"
    url: str
    path: str = ""
    expired_on: Optional[str] = None

    @property
    def is_deepseek_api(self) -> bool:
        return self.kind in ("api", "expired", "api-other-path")


# Tables whose keys are data (model ids, URL paths), not field names.
_DATA_KEYED_TABLES = ("retired", "aliases", "current_paths")


def _normalize_keys(table: Any, keys_are_data: bool = False) -> Any:
    """Accept ``kebab-case`` field names, as pyproject.toml users write them."""
    if not isinstance(table, dict):
        return table
    normalized = {}
    for key, value in table.items():
        name = key if keys_are_data else str(key).replace("-", "_")
        normalized[name] = _normalize_keys(value, keys_are_data=not keys_are_data and name in _DATA_KEYED_TABLES)
    return normalized


def _merge(base: Dict[str, Any], override: Mapping[str, Any]) -> Dict[str, Any]:
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


@lru_cache(maxsize=1)
def _builtin_data() -> Dict[str, Any]:
    with open(rules_dir() / "catalog.toml", "rb") as fh:
        return tomllib.load(fh)


def default_env_var(model_id: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", model_id.upper()).strip("_") + "_MODEL"


class Catalog:
    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        self.retired: Dict[str, RetiredModel] = {}
        for model_id, entry in (data.get("retired") or {}).items():
            if not isinstance(entry, dict) or "retired_at" not in entry or "replacement" not in entry:
                raise CatalogError(f"retired id {model_id!r} needs retired_at and replacement")
            if entry.get("enabled", True) is False:
                continue
            try:
                retired_at = deadline.parse_instant(str(entry["retired_at"]))
            except ValueError as exc:
                raise CatalogError(f"retired id {model_id!r}: bad retired_at: {exc}") from None
            thinking = entry.get("thinking")
            if thinking not in (None, "enabled", "disabled"):
                raise CatalogError(f"retired id {model_id!r}: thinking must be 'enabled' or 'disabled'")
            self.retired[model_id] = RetiredModel(
                id=model_id,
                retired_at=retired_at,
                replacement=str(entry["replacement"]),
                thinking=thinking,
                env_var=str(entry.get("env_var") or default_env_var(model_id)),
                note=str(entry.get("note", "")),
            )
        self.aliases: Dict[str, Dict[str, Any]] = dict(data.get("aliases") or {})
        forms = data.get("forms") or {}
        self.count_prefixes: Tuple[str, ...] = tuple(forms.get("count_prefixes", ()))
        self.never_prefixes: Tuple[str, ...] = tuple(forms.get("never_prefixes", ()))
        self.gateway_words: Tuple[str, ...] = tuple(w.lower() for w in forms.get("gateway_words", ()))
        hosts = data.get("hosts") or {}
        self.api_hosts = tuple(h.lower() for h in hosts.get("api_hosts", ()))
        self.not_api_hosts = tuple(h.lower() for h in hosts.get("not_api_hosts", ()))
        self.canonical_base_url: str = hosts.get("canonical_base_url", "https://api.deepseek.com")
        self.base_url_env_var: str = hosts.get("base_url_env_var", "DEEPSEEK_BASE_URL")
        self.current_paths: Dict[str, str] = dict(hosts.get("current_paths", {}))
        self.expired_path_re = re.compile(hosts.get("expired_path_pattern", r"(?!)"))
        self.python: Dict[str, List[str]] = {k: list(v) for k, v in (data.get("python") or {}).items()}
        tiers = data.get("tiers") or {}
        self.warning_days = int(tiers.get("warning_days", deadline.DEFAULT_WARNING_DAYS))
        self.error_days = int(tiers.get("error_days", deadline.DEFAULT_ERROR_DAYS))
        self._build_patterns()

    # -- construction -------------------------------------------------------------------

    @classmethod
    def load(cls, overrides: Optional[Mapping[str, Any]] = None) -> "Catalog":
        """The built-in catalog with ``[tool.v4-migrate]`` tables merged over it."""
        data = copy.deepcopy(_builtin_data())
        if overrides:
            _merge(data, _normalize_keys(dict(overrides)))
        return cls(data)

    def _build_patterns(self) -> None:
        ids = sorted(self.retired, key=len, reverse=True)
        alternatives = "|".join(re.escape(i) for i in ids) or r"(?!)"
        prefixes = "|".join(re.escape(p) for p in self.count_prefixes) or r"(?!)"
        # Whole tokens only: nothing id-like glued before (`ollama/`, `my-`) or after
        # (`-v3-0324`, an Ollama `:7b` tag, `.gguf`). A `-` after a non-word is fine: `${X:-id}`.
        self._find_re = re.compile(
            rf"(?<![\w.@/:])(?<!\w-)(?P<prefix>{prefixes})?(?P<id>{alternatives})(?![\w-]|[.:@/]\w)"
        )
        self._exact_re = re.compile(rf"(?P<prefix>{prefixes})?(?P<id>{alternatives})")
        # Bytes that any finding needs: an id, a dynamically built `deepseek-` prefix, or an API
        # host (a URL on another host, docs on api-docs.deepseek.com say, is never a finding).
        byte_ids = "|".join(re.escape(i) for i in ids)
        hosts = "|".join(re.escape(h) for h in sorted(self.api_hosts))
        # `deepseek-\` starts a JSON-escaped quote (`deepseek-\"`): a built id inside a notebook.
        # `deepseek-v4-flash")` ends this tool's own rewrite, os.environ.get("DEEPSEEK_CHAT_MODEL",
        # "deepseek-v4-flash"): a value whose thinking mode a request may still have to send.
        # In JavaScript the rewrite is `process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash"`.
        rewrites = "|".join(sorted({re.escape(m.replacement) + r"[\"']\)" for m in self.retired.values()}
                                   | {r"\?\? [\"'`]" + re.escape(m.replacement) for m in self.retired.values()}))
        parts = [p for p in (byte_ids, r"deepseek-[\"'{\\]", hosts, rewrites) if p]
        self.prefilter_re = re.compile("|".join(parts).encode())
        self.text_prefilter_re = re.compile("|".join(parts))

    # -- ids ------------------------------------------------------------------------------

    def exact(self, value: str) -> Optional[IdMatch]:
        """The match when ``value`` is exactly a retired id, bare or under a counting prefix."""
        m = self._exact_re.fullmatch(value)
        if not m:
            return None
        return IdMatch(0, len(value), self.retired[m.group("id")], m.group("prefix") or "")

    def find(self, text: str) -> Iterator[IdMatch]:
        """Every whole-token occurrence of a retired id in free text."""
        for m in self._find_re.finditer(text):
            yield IdMatch(m.start(), m.end(), self.retired[m.group("id")], m.group("prefix") or "")

    def may_contain(self, raw: bytes) -> bool:
        """The cheap byte prefilter: False means no scanner can find anything."""
        return self.prefilter_re.search(raw) is not None

    def may_mention(self, text: str) -> bool:
        """The same test on one decoded string, so scanners skip most strings cheaply."""
        return self.text_prefilter_re.search(text) is not None

    def names_gateway(self, text: str) -> bool:
        """Whether a name or a comment names a gateway (``OpenRouterModel``, ``# for openrouter``)."""
        lowered = text.lower()
        return any(word in lowered for word in self.gateway_words)

    def alias_note(self, model_id: str) -> str:
        alias = self.aliases.get(model_id) or {}
        if alias.get("canonical"):
            return f"alias of `{alias['canonical']}` since {alias.get('since')}"
        return ""

    # -- deadlines ------------------------------------------------------------------------

    def tier(self, model: RetiredModel, today: date) -> str:
        return deadline.tier(model.retired_at, today, self.warning_days, self.error_days)

    def severity(self, model: RetiredModel, today: date) -> str:
        return deadline.severity_for_tier(self.tier(model, today))

    def legacy_message(self, match: IdMatch, today: date, where: str = "", hint: str = "") -> str:
        """One short line (``--explain`` and SARIF help carry the long form): what, where, what to use."""
        model = match.model
        where = f" {where}" if where else ""
        if self.tier(model, today) == deadline.RETIRED:
            lead = f"Retired model id `{match.legacy}`{where} (HTTP 400 since {model.retired_at:%Y-%m-%d})"
        else:
            lead = f"Model id `{match.legacy}`{where} {deadline.describe_deadline(model.retired_at, today)}"
        successor = f"use `{match.replacement}`" + (f", thinking {model.thinking}" if model.thinking else "")
        return f"{lead}; {successor}" + (f". {hint}" if hint else "")

    # -- URLs -----------------------------------------------------------------------------

    def classify_url(self, url: str) -> Optional[UrlInfo]:
        """None unless ``url`` is an absolute http(s) URL."""
        if not re.match(r"(?i)https?://", url):
            return None
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
        except ValueError:
            return None
        path = parts.path.rstrip("/")
        if host in self.not_api_hosts or (host.endswith(".deepseek.com") and host not in self.api_hosts):
            return UrlInfo("not-api", url, path)
        if host not in self.api_hosts:
            return UrlInfo("other", url, path)
        if path in self.current_paths:
            return UrlInfo("api", url, path)
        # A pattern from a config is checked to match in polynomial time; a cap on the input
        # keeps that time small (no dated endpoint's path is this long).
        expired = self.expired_path_re.match(path) if len(path) <= MAX_MATCHED_PATH else None
        if expired:
            found = expired.groupdict().get("date")
            return UrlInfo("expired", url, path, found)
        return UrlInfo("api-other-path", url, path)


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    return Catalog.load()

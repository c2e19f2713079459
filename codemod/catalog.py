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
PROVIDERS_DIR = "catalog"  # rules/catalog/<provider>.toml
PRIMARY_PROVIDER = "deepseek"  # its hosts and forms are the top-level [hosts] and [forms]
DEFAULT_PROVIDERS = (PRIMARY_PROVIDER,)
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
    replacement: str  # the end of its successor chain: the first successor the catalog does not retire
    thinking: Optional[str]  # "enabled", "disabled", or None when the mode does not matter
    env_var: str
    note: str = ""
    provider: str = PRIMARY_PROVIDER
    successor: str = ""  # the provider's recommended replacement when last checked (``fetched_at``)
    source: str = ""  # where the dates and the successor were read
    fetched_at: str = ""  # when (YYYY-MM-DD)
    deprecated_at: str = ""

    @property
    def is_primary(self) -> bool:
        """A DeepSeek id: its successor is the same model (a safe rewrite), not a different one."""
        return self.provider == PRIMARY_PROVIDER


@dataclass(frozen=True)
class Provider:
    """A provider's part of the catalog: where its API is and how its ids are written."""

    name: str
    label: str
    env_var: str = ""  # the variable its rewritten ids read (OPENAI_MODEL); DeepSeek's are per id
    api_hosts: Tuple[str, ...] = ()
    count_prefixes: Tuple[str, ...] = ()  # `openai/gpt-4` (LiteLLM), `openai:gpt-4` (pydantic-ai)
    source: str = ""


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
class AliasMatch:
    """A DeepSeek id the API still accepts but routes to another (``deepseek-v4-flash``)."""

    alias: str
    prefix: str
    canonical: str
    since: str


@dataclass(frozen=True)
class UrlInfo:
    kind: str  # "api" (a current path), "expired", "api-other-path", "not-api", "other"
    url: str
    path: str = ""
    expired_on: Optional[str] = None
    provider: Optional[str] = None  # the catalog provider whose API host it is

    @property
    def is_deepseek_api(self) -> bool:
        return self.kind in ("api", "expired", "api-other-path")

    def serves(self, provider: str) -> bool:
        """Whether a request to this URL reaches ``provider``'s own API."""
        return self.is_deepseek_api if provider == PRIMARY_PROVIDER else self.provider == provider


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
    """rules/catalog.toml with DeepSeek's tables merged in: the layout [tool.v4-migrate] overrides."""
    data = _read_toml(rules_dir() / "catalog.toml")
    primary = dict(_provider_file(PRIMARY_PROVIDER))
    data["provider_tables"] = {PRIMARY_PROVIDER: primary.pop("provider", {})}
    primary.pop("schema", None)
    return _merge(data, primary)


@lru_cache(maxsize=None)
def _provider_file(name: str) -> Dict[str, Any]:
    return _read_toml(rules_dir() / PROVIDERS_DIR / f"{name}.toml")


def _read_toml(path: Path) -> Dict[str, Any]:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=1)
def provider_names() -> Tuple[str, ...]:
    """The providers the catalog has a file for (``providers = [...]`` may name these)."""
    return tuple(sorted(path.stem for path in (rules_dir() / PROVIDERS_DIR).glob("*.toml")))


def _with_providers(data: Dict[str, Any], providers: Tuple[str, ...]) -> Dict[str, Any]:
    """The built-in data with the retired ids of ``providers`` only: each other provider's file
    adds its entries (marked with the provider) and its [provider] table."""
    retired = data.setdefault("retired", {})
    if PRIMARY_PROVIDER not in providers:
        data["retired"] = retired = {}
    for name in providers:
        if name == PRIMARY_PROVIDER:
            continue
        table = copy.deepcopy(_provider_file(name))
        data["provider_tables"][name] = table.get("provider", {})
        for model_id, entry in (table.get("retired") or {}).items():
            retired[model_id] = dict(entry, provider=name)
    return data


def default_env_var(model_id: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", model_id.upper()).strip("_") + "_MODEL"


def successor_chain(model_id: str, entries: Mapping[str, Any]) -> List[str]:
    """``model_id``'s successors in order, each the recommended replacement of the one before,
    until one the catalog does not retire (a cycle ends where it would repeat)."""
    chain: List[str] = []
    current = model_id
    while isinstance(entries.get(current), dict) and entries[current].get("enabled", True) is not False:
        successor = str(entries[current].get("replacement", ""))
        if not successor or successor == model_id or successor in chain:
            break
        chain.append(successor)
        current = successor
    return chain or [str((entries.get(model_id) or {}).get("replacement", ""))]


def _providers(data: Mapping[str, Any], forms: Mapping[str, Any], hosts: Mapping[str, Any]) -> Dict[str, Provider]:
    providers: Dict[str, Provider] = {}
    for name, table in (data.get("provider_tables") or {PRIMARY_PROVIDER: {}}).items():
        table = table or {}
        if name == PRIMARY_PROVIDER:  # its hosts and forms are the top-level tables, as overrides write them
            api_hosts, prefixes = hosts.get("api_hosts", ()), forms.get("count_prefixes", ())
        else:
            api_hosts, prefixes = table.get("api_hosts", ()), table.get("count_prefixes", ())
        env_var = (data.get("env_vars") or {}).get(name) or table.get("env_var", "")  # a project's choice first
        providers[name] = Provider(
            name=name, label=str(table.get("label", name)), env_var=str(env_var),
            api_hosts=tuple(h.lower() for h in api_hosts), count_prefixes=tuple(prefixes), source=str(table.get("source", "")),
        )
    return providers


class Catalog:
    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        forms = data.get("forms") or {}
        hosts = data.get("hosts") or {}
        self.providers: Dict[str, Provider] = _providers(data, forms, hosts)
        entries = {model_id: entry for model_id, entry in (data.get("retired") or {}).items()}
        self.retired: Dict[str, RetiredModel] = {}
        for model_id, entry in entries.items():
            model = self._model(model_id, entry, entries)
            if model is not None:
                self.retired[model_id] = model
        self.aliases: Dict[str, Dict[str, Any]] = dict(data.get("aliases") or {})
        self._alias_spellings = {
            prefix + alias: AliasMatch(alias, prefix, str(entry["canonical"]), str(entry.get("since", "")))
            for alias, entry in self.aliases.items() if isinstance(entry, dict) and entry.get("canonical")
            for prefix in ("",) + tuple(forms.get("count_prefixes", ()))
        }
        # every provider's prefixes; a prefix counts only before its own provider's ids
        self.count_prefixes: Tuple[str, ...] = tuple(dict.fromkeys(p for prov in self.providers.values() for p in prov.count_prefixes))
        self.never_prefixes: Tuple[str, ...] = tuple(forms.get("never_prefixes", ()))
        self.gateway_words: Tuple[str, ...] = tuple(w.lower() for w in forms.get("gateway_words", ()))
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

    def _model(self, model_id: str, entry: Any, entries: Mapping[str, Any]) -> Optional[RetiredModel]:
        if not isinstance(entry, dict) or "retired_at" not in entry or "replacement" not in entry:
            raise CatalogError(f"retired id {model_id!r} needs retired_at and replacement")
        if entry.get("enabled", True) is False:
            return None
        try:
            retired_at = deadline.parse_instant(str(entry["retired_at"]))
        except ValueError as exc:
            raise CatalogError(f"retired id {model_id!r}: bad retired_at: {exc}") from None
        thinking = entry.get("thinking")
        if thinking not in (None, "enabled", "disabled"):
            raise CatalogError(f"retired id {model_id!r}: thinking must be 'enabled' or 'disabled'")
        provider = self.providers.get(str(entry.get("provider", PRIMARY_PROVIDER)))
        if provider is None:
            raise CatalogError(f"retired id {model_id!r}: unknown provider {entry.get('provider')!r}")
        successor = str(entry["replacement"])
        return RetiredModel(
            id=model_id,
            retired_at=retired_at,
            replacement=successor_chain(model_id, entries)[-1],
            thinking=thinking,
            env_var=str(entry.get("env_var") or provider.env_var or default_env_var(model_id)),
            note=str(entry.get("note", "")),
            provider=provider.name,
            successor=successor,
            source=str(entry.get("source", "")),
            fetched_at=str(entry.get("fetched_at", "")),
            deprecated_at=str(entry.get("deprecated_at", "")),
        )

    @classmethod
    def load(cls, overrides: Optional[Mapping[str, Any]] = None, providers: Tuple[str, ...] = DEFAULT_PROVIDERS) -> "Catalog":
        """The built-in catalog of ``providers``, with ``[tool.v4-migrate]`` tables merged over it."""
        unknown = [name for name in providers if name not in provider_names()]
        if unknown:
            raise CatalogError(f"unknown provider {unknown[0]!r} (known: {', '.join(provider_names())})")
        data = _with_providers(copy.deepcopy(_builtin_data()), tuple(providers))
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
        if not m or not self._prefix_fits(m):
            return None
        return IdMatch(0, len(value), self.retired[m.group("id")], m.group("prefix") or "")

    def find(self, text: str) -> Iterator[IdMatch]:
        """Every whole-token occurrence of a retired id in free text."""
        for m in self._find_re.finditer(text):
            if self._prefix_fits(m):
                yield IdMatch(m.start(), m.end(), self.retired[m.group("id")], m.group("prefix") or "")

    def _prefix_fits(self, m: "re.Match[str]") -> bool:
        """`openai/gpt-4` is OpenAI's, `deepseek/gpt-4` nobody's: a prefix counts before its own provider's ids."""
        prefix = m.group("prefix")
        return not prefix or prefix in self.providers[self.retired[m.group("id")].provider].count_prefixes

    def spellings(self) -> List[str]:
        """Every way a retired id is written: bare, and under each prefix of its provider."""
        return [prefix + model_id for model_id, model in self.retired.items()
                for prefix in ("",) + self.providers[model.provider].count_prefixes]

    def alias_match(self, value: str) -> Optional[AliasMatch]:
        """The alias ``value`` is exactly, bare or under a DeepSeek prefix (DS008)."""
        return self._alias_spellings.get(value)

    def may_contain_alias(self, raw: bytes) -> bool:
        return any(spelling.encode() in raw for spelling in self._alias_spellings)

    def alias_starts(self, text: str) -> List[int]:
        starts: List[int] = []
        for spelling in self._alias_spellings:
            index = text.find(spelling)
            while index >= 0:
                starts.append(index)
                index = text.find(spelling, index + 1)
        return sorted(starts)

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
        label = "" if model.is_primary else f"{self.providers[model.provider].label} "
        if self.tier(model, today) == deadline.RETIRED:
            answer = "HTTP 400 since" if model.is_primary else "shut down on"
            lead = f"Retired {label}model id `{match.legacy}`{where} ({answer} {model.retired_at:%Y-%m-%d})"
        else:
            lead = f"{label}model id `{match.legacy}`{where} {deadline.describe_deadline(model.retired_at, today)}"
            lead = lead[0].upper() + lead[1:]
        successor = f"use `{match.replacement}`" + (f", thinking {model.thinking}" if model.thinking else "")
        if not model.is_primary:  # a different model: advice, as of when it was read
            checked = f" when last checked ({model.fetched_at})" if model.fetched_at else ""
            successor = f"`{match.replacement}` is the recommended replacement{checked}"
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
            provider = next((p.name for p in self.providers.values() if not p.name == PRIMARY_PROVIDER and host in p.api_hosts), None)
            return UrlInfo("other", url, path, provider=provider)
        if path in self.current_paths:
            return UrlInfo("api", url, path, provider=PRIMARY_PROVIDER)
        # A pattern from a config is checked to match in polynomial time; a cap on the input
        # keeps that time small (no dated endpoint's path is this long).
        expired = self.expired_path_re.match(path) if len(path) <= MAX_MATCHED_PATH else None
        if expired:
            found = expired.groupdict().get("date")
            return UrlInfo("expired", url, path, found, PRIMARY_PROVIDER)
        return UrlInfo("api-other-path", url, path, provider=PRIMARY_PROVIDER)


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    return Catalog.load()


@lru_cache(maxsize=1)
def every_provider_catalog() -> Catalog:
    """Every provider's ids: what the runtime shim knows (it resends only on a provider's own
    retired-model answer, so knowing more ids never changes a request that works)."""
    return Catalog.load(providers=provider_names())

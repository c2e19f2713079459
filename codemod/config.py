"""``[tool.v4-migrate]`` in pyproject.toml: each file uses the closest one, as in Ruff;
``--config FILE`` makes one file apply everywhere."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Tuple

from codemod.catalog import Catalog, CatalogError, _normalize_keys, tomllib
from codemod.ftypes import SEVERITIES

# Catalog tables that [tool.v4-migrate] may extend or override.
CATALOG_TABLES = ("retired", "aliases", "forms", "hosts", "python", "tiers")
RETRY_STRATEGIES = ("auto", "tenacity", "sdk", "shim", "off")
FAIL_ON = SEVERITIES + ("never",)
DEFAULT_MAX_FILE_SIZE = 4 * 1024 * 1024
KNOWN_KEYS = frozenset(
    CATALOG_TABLES
    + ("exclude", "extend_exclude", "select", "extend_select", "ignore", "fail_on", "retry_strategy", "max_file_size")
)


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Config:
    catalog: Catalog
    source: Optional[Path] = None  # the pyproject.toml or --config file it came from
    root: Optional[Path] = None  # the folder exclude patterns are relative to
    select: Optional[Tuple[str, ...]] = None  # None: the rules that are on by default
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = ()
    extend_exclude: Tuple[str, ...] = ()
    fail_on: str = "warning"
    retry_strategy: str = "auto"
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    raw: Mapping[str, Any] = field(default_factory=dict)

    def is_selected(self, code: str, default_codes: FrozenSet[str]) -> bool:
        chosen = (
            any(_code_matches(code, s) for s in self.select) if self.select is not None else code in default_codes
        )
        chosen = chosen or any(_code_matches(code, s) for s in self.extend_select)
        return chosen and not any(_code_matches(code, s) for s in self.ignore)


def _code_matches(code: str, selector: str) -> bool:
    selector = selector.strip().upper()
    return selector == "ALL" or code.upper().startswith(selector)


def _string_list(table: Mapping[str, Any], key: str, where: str) -> Tuple[str, ...]:
    value = table.get(key, ())
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key.replace('_', '-')} must be a list of strings")
    return tuple(value)


def read_table(path: Path) -> Optional[Dict[str, Any]]:
    """The [tool.v4-migrate] table of a pyproject.toml, or the whole of another TOML file."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8") from None
    if path.name == "pyproject.toml":
        table = (data.get("tool") or {}).get("v4-migrate")
        return None if table is None else _normalize_keys(table)
    return _normalize_keys(data.get("tool", {}).get("v4-migrate", data))


def build(table: Mapping[str, Any], source: Optional[Path]) -> Config:
    where = str(source) if source else "config"
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) in [tool.v4-migrate]: {', '.join(k.replace('_', '-') for k in unknown)}")
    try:
        catalog = Catalog.load({k: table[k] for k in CATALOG_TABLES if k in table})
    except (CatalogError, ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: {exc}") from None
    fail_on = table.get("fail_on", "warning")
    if fail_on not in FAIL_ON:
        raise ConfigError(f"{where}: fail-on must be one of {', '.join(FAIL_ON)}")
    strategy = table.get("retry_strategy", "auto")
    if strategy not in RETRY_STRATEGIES:
        raise ConfigError(f"{where}: retry-strategy must be one of {', '.join(RETRY_STRATEGIES)}")
    max_size = table.get("max_file_size", DEFAULT_MAX_FILE_SIZE)
    if not isinstance(max_size, int) or max_size <= 0:
        raise ConfigError(f"{where}: max-file-size must be a positive number of bytes")
    return Config(
        catalog=catalog,
        source=source,
        root=source.parent if source else None,
        select=_string_list(table, "select", where) if "select" in table else None,
        extend_select=_string_list(table, "extend_select", where),
        ignore=_string_list(table, "ignore", where),
        exclude=_string_list(table, "exclude", where),
        extend_exclude=_string_list(table, "extend_exclude", where),
        fail_on=fail_on,
        retry_strategy=strategy,
        max_file_size=max_size,
        raw=dict(table),
    )


@dataclass(frozen=True)
class CliOverrides:
    """Options given on the command line; they win over every config file."""

    select: Optional[Tuple[str, ...]] = None
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    exclude: Optional[Tuple[str, ...]] = None
    extend_exclude: Tuple[str, ...] = ()
    fail_on: Optional[str] = None

    def apply(self, config: Config) -> Config:
        changes: Dict[str, Any] = {}
        if self.select is not None:
            changes["select"] = self.select
        if self.extend_select:
            changes["extend_select"] = config.extend_select + self.extend_select
        if self.ignore:
            changes["ignore"] = config.ignore + self.ignore
        if self.exclude is not None:
            changes["exclude"] = self.exclude
        if self.extend_exclude:
            changes["extend_exclude"] = config.extend_exclude + self.extend_exclude
        if self.fail_on:
            changes["fail_on"] = self.fail_on
        return replace(config, **changes) if changes else config


class ConfigResolver:
    """Finds the config for each folder once: the closest pyproject.toml with [tool.v4-migrate]."""

    def __init__(self, explicit: Optional[Path] = None, overrides: CliOverrides = CliOverrides()):
        self.overrides = overrides
        self._by_dir: Dict[str, Config] = {}  # by real folder
        self._fixed: Optional[Config] = None
        if explicit is not None:
            table = read_table(explicit)
            self._fixed = overrides.apply(build(table or {}, explicit.resolve()))
        self._default: Optional[Config] = None

    def default(self) -> Config:
        if self._fixed is not None:
            return self._fixed
        if self._default is None:
            self._default = self.overrides.apply(build({}, None))
        return self._default

    def for_dir(self, folder) -> Config:
        return self.for_real_dir(os.path.realpath(folder))

    def for_real_dir(self, folder: str) -> Config:
        """The config of a folder given by its real path (no links in it)."""
        if self._fixed is not None:
            return self._fixed
        chain: List[str] = []
        config: Optional[Config] = None
        current = folder
        while True:
            if current in self._by_dir:
                config = self._by_dir[current]
                break
            chain.append(current)
            candidate = os.path.join(current, "pyproject.toml")
            if os.path.isfile(candidate):
                table = read_table(Path(candidate))
                if table is not None:
                    config = self.overrides.apply(build(table, Path(candidate)))
                    break
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        config = config or self.default()
        for seen in chain:
            self._by_dir[seen] = config
        return config

    def all_configs(self) -> Iterable[Config]:
        return {id(c): c for c in self._by_dir.values()}.values()

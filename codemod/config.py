"""``[tool.v4-migrate]`` in pyproject.toml: each file uses the closest one, as in Ruff;
``--config FILE`` makes one file apply everywhere."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Tuple

from codemod import rulecodes, schema
from codemod.catalog import DEFAULT_PROVIDERS, Catalog, CatalogError, _normalize_keys, tomllib
from codemod.schema import CATALOG_TABLES, FAIL_ON, RETRY_STRATEGIES  # noqa: F401 (re-exported)

DEFAULT_MAX_FILE_SIZE = 4 * 1024 * 1024
ALIAS_RULE = "DS008"  # an alias the API still routes (deepseek-v4-flash)
KNOWN_KEYS = schema.TOP_LEVEL_KEYS
OUR_TABLE = ("tool", "v4-migrate")


class ConfigError(ValueError):
    """A config that cannot be used: one line per problem, each naming the file and the key."""

    def __init__(self, lines):
        self.lines = [lines] if isinstance(lines, str) else list(lines)
        super().__init__("\n".join(self.lines))


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
    per_file_ignores: Optional["PerFileIgnores"] = None
    raw: Mapping[str, Any] = field(default_factory=dict)

    def is_selected(self, code: str, default_codes: FrozenSet[str]) -> bool:
        chosen = (
            any(_code_matches(code, s) for s in self.select) if self.select is not None else code in default_codes
        )
        chosen = chosen or any(_code_matches(code, s) for s in self.extend_select)
        return chosen and not any(_code_matches(code, s) for s in self.ignore)

    @property
    def reports_aliases(self) -> bool:
        """DS008 (off by default) is selected: only then is a file that holds an alias read."""
        from codemod.ruledocs import default_codes

        return self.is_selected(ALIAS_RULE, default_codes())

    def is_ignored_in(self, code: str, path: str) -> bool:
        """Whether per-file-ignores turns ``code`` off in the file at ``path``."""
        if self.per_file_ignores is None:
            return False
        return any(_code_matches(code, s) for s in self.per_file_ignores.codes_for(path))


_code_matches = rulecodes.matches


class PerFileIgnores:
    """``per-file-ignores``: file pattern -> codes, as in Ruff. Patterns are gitignore-style and
    relative to the config's folder (``tests/**``; ``*.ipynb`` matches at any depth); a
    leading ``!`` means every file the rest does not match."""

    def __init__(self, entries: Mapping[str, Tuple[str, ...]], root: str):
        self.entries = dict(entries)
        self.root = root
        self._compiled: Optional[List[Tuple[bool, Any, Tuple[str, ...]]]] = None
        self._by_path: Dict[str, Tuple[str, ...]] = {}

    def codes_for(self, path: str) -> Tuple[str, ...]:
        codes = self._by_path.get(path)
        if codes is None:
            relative = self._relative(path)
            codes = tuple(
                code for negated, spec, listed in self._patterns() if bool(spec.match_file(relative)) != negated
                for code in listed
            )
            self._by_path[path] = codes
        return codes

    def _patterns(self) -> List[Tuple[bool, Any, Tuple[str, ...]]]:
        if self._compiled is None:
            import pathspec

            self._compiled = []
            for pattern, codes in self.entries.items():
                negated = pattern.startswith("!")
                spec = pathspec.GitIgnoreSpec.from_lines([pattern[1:] if negated else pattern])
                self._compiled.append((negated, spec, codes))
        return self._compiled

    def _relative(self, path: str) -> str:
        real = os.path.realpath(path)
        relative = os.path.relpath(real, self.root)
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            return os.path.basename(real)  # outside the config's folder: only name patterns match
        return relative.replace(os.sep, "/")


def _string_tuple(value: Any) -> Tuple[str, ...]:
    """A list of strings the schema accepted; a single string is a list of one."""
    return (value,) if isinstance(value, str) else tuple(value)


def read_table(path: Path, warn: Optional[Callable[[str], None]] = None) -> Tuple[Optional[Dict[str, Any]], Tuple[str, ...]]:
    """The [tool.v4-migrate] table of a pyproject.toml, or the whole of another TOML file (its
    [tool.v4-migrate] table if it has one), as written, with where it sits in the file. With
    ``warn`` (a pyproject.toml found on the way up), a file that does not parse counts as having
    no table, and it and any misspelled table of ours are warned about."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
        reason = {UnicodeDecodeError: "not UTF-8", RecursionError: "nested too deeply"}.get(type(exc), str(exc))
        if warn is None:
            raise ConfigError(f"{path}: invalid TOML: {reason}") from None
        warn(f"{path}: not valid TOML ({reason}); not read, so the files below it use the next config up")
        return None, OUR_TABLE
    tool = data.get("tool")
    if isinstance(tool, dict):
        for name in tool:
            if schema.looks_like_ours(str(name)) and warn is not None:
                warn(f"{path}: [tool.{schema.key_text(str(name))}] is not read; did you mean [tool.v4-migrate]?")
        if "v4-migrate" in tool:
            return tool["v4-migrate"], OUR_TABLE
    if path.name == "pyproject.toml":
        return None, OUR_TABLE
    return data, ()


def build(table: Any, source: Optional[Path], prefix: Tuple[str, ...] = OUR_TABLE) -> Config:
    """The config of a table as written; every bad key or value is one line of the ConfigError."""
    where = str(source) if source else "config"
    problems = schema.problems(table, where, prefix)
    if problems:
        raise ConfigError(problems)
    table = _normalize_keys(table)
    try:
        catalog = Catalog.load({k: table[k] for k in CATALOG_TABLES if k in table}, _string_tuple(table.get("providers", DEFAULT_PROVIDERS)))
    except (CatalogError, ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: {exc}") from None
    root = source.parent if source else None
    ignores = table.get("per_file_ignores")
    return Config(
        catalog=catalog,
        source=source,
        root=root,
        select=_string_tuple(table["select"]) if "select" in table else None,
        extend_select=_string_tuple(table.get("extend_select", ())),
        ignore=_string_tuple(table.get("ignore", ())),
        exclude=_string_tuple(table.get("exclude", ())),
        extend_exclude=_string_tuple(table.get("extend_exclude", ())),
        fail_on=table.get("fail_on", "warning"),
        retry_strategy=table.get("retry_strategy", "auto"),
        max_file_size=table.get("max_file_size", DEFAULT_MAX_FILE_SIZE),
        per_file_ignores=PerFileIgnores(
            {glob: _string_tuple(codes) for glob, codes in ignores.items()}, str(root or os.path.realpath(os.getcwd()))
        ) if ignores else None,
        raw=dict(table),
    )


def load(path: Path, warn: Optional[Callable[[str], None]] = None) -> Optional[Config]:
    """The config a file holds (None: a pyproject.toml without our table, or, with ``warn``,
    one that does not parse)."""
    table, prefix = read_table(path, warn)
    return None if table is None else build(table, path, prefix)


@dataclass(frozen=True)
class CliOverrides:
    """Options given on the command line; they win over every config file."""

    select: Optional[Tuple[str, ...]] = None
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    exclude: Optional[Tuple[str, ...]] = None
    extend_exclude: Tuple[str, ...] = ()
    fail_on: Optional[str] = None

    def problems(self) -> List[str]:
        """One line per rule code that selects nothing and per pattern that does not compile."""
        found = []
        for option, codes in (("--select", self.select or ()), ("--extend-select", self.extend_select), ("--ignore", self.ignore)):
            found += rulecodes.problems(codes, option)
        for option, patterns in (("--exclude", self.exclude or ()), ("--extend-exclude", self.extend_exclude)):
            found += [f"{option}: {wrong}" for wrong in map(schema.gitignore_pattern, patterns) if wrong]
        return found

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
    """Finds the config for each folder once: the closest pyproject.toml with [tool.v4-migrate].
    A pyproject.toml that does not parse is a warning (``warnings``), and its folder uses the
    next config up; one whose table is wrong raises ConfigError for every folder it governs."""

    def __init__(self, explicit: Optional[Path] = None, overrides: CliOverrides = CliOverrides()):
        problems = overrides.problems()
        if problems:
            raise ConfigError(problems)
        self.overrides = overrides
        self.warnings: List[str] = []  # one line each, in the order found
        self._by_dir: Dict[str, Config] = {}  # by real folder
        self._broken: Dict[str, ConfigError] = {}  # by real folder: the error of the config governing it
        self._fixed: Optional[Config] = None
        if explicit is not None:
            table, prefix = read_table(explicit)
            self._fixed = overrides.apply(build(table or {}, explicit.resolve(), prefix))
        self._default: Optional[Config] = None

    def warn(self, line: str) -> None:
        if line not in self.warnings:
            self.warnings.append(line)

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
        try:
            while True:
                if current in self._by_dir:
                    config = self._by_dir[current]
                    break
                if current in self._broken:
                    raise self._broken[current]
                chain.append(current)
                candidate = os.path.join(current, "pyproject.toml")
                if os.path.isfile(candidate):
                    found = load(Path(candidate), self.warn)
                    if found is not None:
                        config = self.overrides.apply(found)
                        break
                parent = os.path.dirname(current)
                if parent == current:
                    break
                current = parent
        except ConfigError as exc:
            for seen in chain:
                self._broken[seen] = exc
            raise
        config = config or self.default()
        for seen in chain:
            self._by_dir[seen] = config
        return config

    def all_configs(self) -> Iterable[Config]:
        return {id(c): c for c in self._by_dir.values()}.values()

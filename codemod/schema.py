"""The schema of ``[tool.v4-migrate]``: every key with its type and its check, as data.

``problems(table)`` walks a table as the user wrote it (``kebab-case`` or ``snake_case``) and
returns one line per bad key or value, never raising: nothing below a key of the wrong type is
looked at, so a 400-deep table costs one line. README's "Configuration" lists the same keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from codemod import deadline, rulecodes
from codemod.ftypes import SEVERITIES

RETRY_STRATEGIES = ("auto", "tenacity", "sdk", "shim", "off")
FAIL_ON = SEVERITIES + ("never",)
MAX_FILE_SIZE_LIMIT = 2**40  # 1 TiB: a read of max-file-size + 1 bytes must stay possible
MAX_DAYS = 36500
MAX_PATTERN_LENGTH = 500
MAX_VARIABLE_QUANTIFIERS = 2  # in expired_path_pattern: a match stays within O(n^2) steps

# A plain model id or a name spliced into code: nothing a quote, a comment or a newline needs.
MODEL_ID = re.compile(r"[A-Za-z0-9._:/-]+")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DOTTED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
HOSTNAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*")
BASE_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~-]*)*")
URL_PATH = re.compile(r"(?:/[A-Za-z0-9._~-]*)*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

# A check takes a value and returns what is wrong with it, or None.
Check = Callable[[Any], Optional[str]]


# -- checks of one value ----------------------------------------------------------------------


def text(value: Any) -> Optional[str]:
    if not isinstance(value, str):
        return "must be a string"
    if _CONTROL.search(value):
        return "must not hold control characters or line breaks"
    return None


def nonempty_text(value: Any) -> Optional[str]:
    return text(value) or ("must not be empty" if not value else None)


def matching(pattern: "re.Pattern[str]", what: str) -> Check:
    def check(value: Any) -> Optional[str]:
        if not isinstance(value, str):
            return f"must be a string ({what})"
        return None if pattern.fullmatch(value) else f"must be {what}"

    return check


model_id = matching(MODEL_ID, "a plain model id (letters, digits and . _ : / -)")
identifier = matching(IDENTIFIER, "an identifier ([A-Za-z_][A-Za-z0-9_]*)")
dotted_name = matching(DOTTED_NAME, "a dotted name such as chat.completions.create")
hostname = matching(HOSTNAME, "a host name such as api.deepseek.com")
base_url = matching(BASE_URL, "a plain http(s) URL such as https://api.deepseek.com")
url_path = matching(URL_PATH, "a URL path such as /v1 (or the empty string)")


def boolean(value: Any) -> Optional[str]:
    return None if isinstance(value, bool) else "must be true or false"


def integer(low: int, high: int) -> Check:
    def check(value: Any) -> Optional[str]:
        # TOML's true is Python's 1, and inf or 1e3 are floats: none of them is a count.
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a whole number from {low} to {high}"
        return None if low <= value <= high else f"must be from {low} to {high}"

    return check


def one_of(*choices: str) -> Check:
    def check(value: Any) -> Optional[str]:
        return None if value in choices and isinstance(value, str) else f"must be one of {', '.join(choices)}"

    return check


def instant(value: Any) -> Optional[str]:
    """An ISO date or date-time (string or TOML date), between 1970 and 9999 once in UTC."""
    wanted = "must be an ISO date or date-time in UTC between 1970 and 9999, e.g. 2027-01-31T00:00:00Z"
    if not isinstance(value, (str, date)):  # datetime is a date
        return wanted
    try:
        parsed = deadline.parse_instant(str(value))
    except (ValueError, OverflowError):  # out of range once moved to UTC: 0001-01-01T00:00+01:00
        return wanted
    # The last day of 9999 is left out: the tiers' day arithmetic must not overflow.
    return None if date(1970, 1, 1) <= parsed.date() < date(9999, 12, 31) else wanted


def calendar_date(value: Any) -> Optional[str]:
    if isinstance(value, date) and not isinstance(value, datetime):
        return None
    if isinstance(value, str):
        try:
            date.fromisoformat(value)
            return None
        except ValueError:
            pass
    return "must be a date such as 2026-09-10"


def rule_selector(value: Any) -> Optional[str]:
    if not isinstance(value, str):
        return "must be a rule code, a prefix of one, or ALL"
    return rulecodes.selector_problem(value)


def gitignore_pattern(value: Any) -> Optional[str]:
    wrong = nonempty_text(value)
    if wrong:
        return wrong
    return _pattern_problem(value)


def file_glob(value: Any) -> Optional[str]:
    """A per-file-ignores key: a gitignore-style pattern, ``!`` first to mean every other file."""
    wrong = nonempty_text(value)
    if wrong:
        return wrong
    return _pattern_problem(value[1:] if value.startswith("!") else value)


def _pattern_problem(pattern: str) -> Optional[str]:
    import pathspec

    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except ValueError as exc:  # a trailing backslash, say
        return f"must be a valid gitignore-style pattern ({_plain(exc)})"
    return None


def path_pattern(value: Any) -> Optional[str]:
    """A regular expression matched against URL paths: Python syntax, in a form whose matching
    time stays polynomial and small (a user's pattern must never hang a run)."""
    wrong = nonempty_text(value)
    if wrong:
        return wrong
    if len(value) > MAX_PATTERN_LENGTH:
        return f"must be at most {MAX_PATTERN_LENGTH} characters"
    try:
        re.compile(value)
        tree = _sre_parse(value)
    except (re.error, RecursionError, OverflowError, ValueError) as exc:
        return f"must be a valid regular expression ({_plain(exc)})"
    return _slow_construct(tree.data)


def _sre_parse(pattern: str):
    try:
        from re import _parser as sre_parse  # Python >= 3.11
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_parse  # type: ignore[no-redef]
    return sre_parse.parse(pattern)


_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
_BACKREFERENCES = frozenset({"GROUPREF", "GROUPREF_EXISTS", "GROUPREF_IGNORE", "GROUPREF_LOC_IGNORE", "GROUPREF_UNI_IGNORE"})
_SLOW = ("may take exponential time (ReDoS); use a flat form such as ^/v\\d[\\w.]*_expires_on_(?P<date>\\d{8})")


def _slow_construct(items: Sequence[Tuple[Any, Any]]) -> Optional[str]:
    """Why a parsed pattern may backtrack without bound, or None. Accepted: no backreference,
    no quantifier or alternation inside a quantified part, at most a few variable quantifiers."""
    variable = 0
    for op, args, inside_repeat in _walk(items, False):
        name = str(op)
        if name in _BACKREFERENCES:
            return "must not use backreferences or conditionals: they " + _SLOW
        if name in _REPEATS:
            low, high = args[0], args[1]
            if inside_repeat:
                return "must not nest quantifiers (as in (a+)+): it " + _SLOW
            variable += low != high
        elif name == "BRANCH" and inside_repeat:
            return "must not repeat an alternation (as in (a|ab)*): it " + _SLOW
    if variable > MAX_VARIABLE_QUANTIFIERS:
        return f"must have at most {MAX_VARIABLE_QUANTIFIERS} variable quantifiers (*, +, ?, {{m,n}})"
    return None


def _walk(items: Iterable[Tuple[Any, Any]], inside_repeat: bool):
    """Every node of a parsed pattern, with whether it sits inside a quantified part."""
    for op, args in items:
        yield op, args, inside_repeat
        nested = inside_repeat or str(op) in _REPEATS
        for child in _subpatterns(args):
            yield from _walk(child, nested)


def _subpatterns(args: Any):
    if hasattr(args, "data"):
        yield args.data
    elif isinstance(args, (list, tuple)):
        for arg in args:
            yield from _subpatterns(arg)


def _plain(exc: BaseException) -> str:
    return _CONTROL.sub(" ", str(exc))[:200]


# -- shapes: lists and tables -----------------------------------------------------------------


@dataclass(frozen=True)
class ListOf:
    item: Check
    single_string_ok: bool = False  # True: `select = "DS001"` means ["DS001"]
    max_items: int = 10_000


@dataclass(frozen=True)
class Table:
    """A table with known keys, written kebab-case or snake_case."""

    keys: Mapping[str, "Shape"]


@dataclass(frozen=True)
class MapOf:
    """A table whose keys are data (model ids, URL paths, file patterns)."""

    key: Check
    value: "Shape"


Shape = Union[Check, ListOf, Table, MapOf]

RULE_CODES = ListOf(rule_selector, single_string_ok=True)
PATTERNS = ListOf(gitignore_pattern, single_string_ok=True)
IDENTIFIERS = ListOf(identifier)

def provider_name(value: Any) -> Optional[str]:
    from codemod.catalog import provider_names  # reads the folder of rules/catalog/

    known = provider_names()
    return None if isinstance(value, str) and value in known else f"must be one of {', '.join(known)}"


RETIRED_ENTRY = Table({
    "retired_at": instant,
    "replacement": model_id,
    "thinking": one_of("enabled", "disabled"),
    "env_var": identifier,
    "note": text,
    "enabled": boolean,
    "provider": provider_name,
    "source": text,
    "fetched_at": calendar_date,
    "deprecated_at": calendar_date,
})

SCHEMA = Table({
    "exclude": PATTERNS,
    "extend_exclude": PATTERNS,
    "select": RULE_CODES,
    "extend_select": RULE_CODES,
    "ignore": RULE_CODES,
    "per_file_ignores": MapOf(file_glob, RULE_CODES),
    "fail_on": one_of(*FAIL_ON),
    "retry_strategy": one_of(*RETRY_STRATEGIES),
    "max_file_size": integer(1, MAX_FILE_SIZE_LIMIT),
    # whose retired ids are checked: rules/catalog/<provider>.toml (default: deepseek alone)
    "providers": ListOf(provider_name, single_string_ok=True),
    "env_vars": MapOf(provider_name, identifier),  # the variable a provider's rewritten ids read (OPENAI_MODEL)
    # The catalog's tables (rules/catalog.toml, rules/catalog/deepseek.toml), which a project may extend or override.
    "retired": MapOf(model_id, RETIRED_ENTRY),
    "aliases": MapOf(model_id, Table({"canonical": model_id, "since": calendar_date, "note": text})),
    "forms": Table({
        "count_prefixes": ListOf(model_id),
        "never_prefixes": ListOf(model_id),
        "gateway_words": ListOf(nonempty_text),
    }),
    "hosts": Table({
        "api_hosts": ListOf(hostname),
        "not_api_hosts": ListOf(hostname),
        "canonical_base_url": base_url,
        "base_url_env_var": identifier,
        "current_paths": MapOf(url_path, text),
        "expired_path_pattern": path_pattern,
    }),
    "python": Table({
        "model_keywords": IDENTIFIERS,
        "model_positional_callees": IDENTIFIERS,
        "model_dict_keys": ListOf(nonempty_text),
        "base_url_keywords": IDENTIFIERS,
        "openai_call_suffixes": ListOf(dotted_name),
    }),
    "tiers": Table({"warning_days": integer(0, MAX_DAYS), "error_days": integer(0, MAX_DAYS)}),
})

CATALOG_TABLES = ("retired", "aliases", "forms", "hosts", "python", "tiers", "env_vars")
TOP_LEVEL_KEYS: FrozenSet[str] = frozenset(SCHEMA.keys)


# -- the walk ---------------------------------------------------------------------------------


def problems(table: Any, where: str, prefix: Tuple[str, ...] = ("tool", "v4-migrate")) -> List[str]:
    """One line per bad key or value of ``table``: ``where`` (the file) and the key's dotted
    name from the file's root (``prefix``: where the table sits in the file)."""
    found: List[str] = []
    _check(SCHEMA, table, _Place(where, prefix), found)
    return found


@dataclass(frozen=True)
class _Place:
    where: str
    path: Tuple[str, ...]

    def __truediv__(self, key: str) -> "_Place":
        return _Place(self.where, self.path + (key,))

    def line(self, message: str) -> str:
        name = ".".join(key_text(part) for part in self.path)
        return f"{self.where}: {name}: {message}" if name else f"{self.where}: {message}"


def _check(shape: Shape, value: Any, place: _Place, found: List[str]) -> None:
    if isinstance(shape, Table):
        _check_table(shape, value, place, found)
    elif isinstance(shape, MapOf):
        _check_map(shape, value, place, found)
    elif isinstance(shape, ListOf):
        _check_list(shape, value, place, found)
    else:
        wrong = shape(value)
        if wrong:
            found.append(place.line(wrong))


def _check_table(shape: Table, value: Any, place: _Place, found: List[str]) -> None:
    if not isinstance(value, dict):
        found.append(place.line("must be a table"))
        return
    seen: Dict[str, str] = {}
    for key, item in value.items():
        key = str(key)
        field = key.replace("-", "_")
        if field not in shape.keys:
            found.append(place.line(_unknown_key(key, shape)))
        elif field in seen:
            found.append((place / key).line(f"set twice (also as {key_text(seen[field])})"))
        else:
            seen[field] = key
            _check(shape.keys[field], item, place / key, found)


def _check_map(shape: MapOf, value: Any, place: _Place, found: List[str]) -> None:
    if not isinstance(value, dict):
        found.append(place.line("must be a table"))
        return
    for key, item in value.items():
        wrong = shape.key(key)
        if wrong:
            found.append((place / str(key)).line(f"the key {wrong}"))
        else:
            _check(shape.value, item, place / str(key), found)


def _check_list(shape: ListOf, value: Any, place: _Place, found: List[str]) -> None:
    if isinstance(value, str) and shape.single_string_ok:
        value = [value]
    if not isinstance(value, list):
        found.append(place.line("must be a list"))
    elif len(value) > shape.max_items:
        found.append(place.line(f"must have at most {shape.max_items} items"))
    else:
        for index, item in enumerate(value):
            wrong = shape.item(item)
            if wrong:
                found.append(place.line(f"item {index + 1}: {wrong}"))


def _unknown_key(key: str, shape: Table) -> str:
    """``unknown key x; did you mean y?``, the suggestion written in the user's own style."""
    kebab = "_" not in key
    names = [k.replace("_", "-") if kebab else k for k in shape.keys]
    written = key.replace("_", "-") if kebab else key.replace("-", "_")
    close = rulecodes.closest(written, names)
    hint = f"did you mean {close}?" if close else f"known keys: {', '.join(sorted(names))}"
    return f"unknown key {key_text(key)}; {hint}"


def key_text(key: str) -> str:
    """A key as TOML would take it: bare when it can be, quoted otherwise (no control chars)."""
    if re.fullmatch(r"[A-Za-z0-9_-]+", key):
        return key
    return '"' + _CONTROL.sub("?", key.replace("\\", "\\\\").replace('"', '\\"'))[:80] + '"'


# -- tables that look like ours ---------------------------------------------------------------


def looks_like_ours(name: str) -> bool:
    """``[tool.v4_migrate]``, ``[tool.v4migrate]``, ``[tool.v4-migrat]``: a table meant for
    this tool that it would not read."""
    if name == "v4-migrate":
        return False
    squashed = re.sub(r"[^a-z0-9]", "", name.lower())
    if "v4migrat" in squashed:  # [tool.deepseek-v4-migrate], after the package's name
        return True
    # The version digit keeps another tool's [tool.migrate] out.
    if "4" not in squashed:
        return False
    import difflib  # only for a table that may be a misspelling: not on every run's start-up path

    return difflib.SequenceMatcher(None, squashed, "v4migrate").ratio() >= 0.8

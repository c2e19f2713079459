"""``v4-migrate catalog check FILE --provider NAME``: the shipped catalog against a model list the
user supplies, such as OpenAI's ``GET /v1/models`` saved to a file (its entries carry a
``shutdown_date``). It prints what changed and never fetches anything itself.

Exit status: 0 when the list agrees with the catalog, 1 when something changed, 2 for a file that
cannot be read or is not such a list."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, timezone
from typing import Any, Dict, List, Optional, Sequence

from codemod.catalog import Catalog, CatalogError, RetiredModel, provider_names

EXIT_SAME, EXIT_CHANGED, EXIT_ERROR = 0, 1, 2
DATE_KEYS = ("shutdown_date", "retirement_date", "retired_at", "deprecation_date")


class ListError(ValueError):
    """The file is not a model list."""


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="v4-migrate catalog", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="compare the catalog with a model list (JSON) you supply")
    check.add_argument("file", help="a JSON model list: {\"data\": [{\"id\": ..., \"shutdown_date\": ...}]} or a list of such objects")
    check.add_argument("--provider", required=True, choices=provider_names(),
                       help="whose catalog entries the list is compared with")
    args = parser.parse_args(list(argv))
    try:
        listed = read_model_list(args.file)
    except ListError as exc:
        print(f"v4-migrate catalog: error: {args.file}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    try:
        catalog = Catalog.load(providers=(args.provider,))
    except CatalogError as exc:
        print(f"v4-migrate catalog: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    changes = compare(catalog, listed)
    for line in changes:
        print(line)
    source = f"rules/catalog/{args.provider}.toml"
    print(f"{len(changes)} change(s) against {source}" if changes else f"{source} agrees with {args.file}")
    return EXIT_CHANGED if changes else EXIT_SAME


def read_model_list(path: str) -> Dict[str, Optional[date]]:
    """Model id -> its shutdown date (None when the list gives none)."""
    try:
        with open(path, "rb") as fh:
            data = json.loads(fh.read().decode("utf-8"))
    except OSError as exc:
        raise ListError(f"cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ListError(f"not JSON: {exc}") from None
    except RecursionError:
        raise ListError("not JSON: nested too deeply") from None
    items = data.get("data") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ListError('expected a list of models, or an object whose "data" is one')
    listed: Dict[str, Optional[date]] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise ListError(f"entry {index} has no string \"id\"")
        listed[item["id"]] = _shutdown_of(item, index)
    return listed


def _shutdown_of(item: Dict[str, Any], index: int) -> Optional[date]:
    for key in DATE_KEYS:
        value = item.get(key)
        if value is None:
            continue
        if isinstance(value, bool):
            break
        if isinstance(value, (int, float)):  # a Unix time, as the API's `created`
            try:
                return datetime.fromtimestamp(value, tz=timezone.utc).date()
            except (OverflowError, OSError, ValueError):
                break
        if isinstance(value, str):
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                break
        break
    else:
        return None
    raise ListError(f"entry {index} ({item['id']}): {key} is not a date")


def compare(catalog: Catalog, listed: Dict[str, Optional[date]]) -> List[str]:
    """One line per difference, the catalog's entries first, in id order."""
    lines: List[str] = []
    for model in sorted(catalog.retired.values(), key=lambda m: m.id):
        lines += _entry_changes(model, listed)
    known = set(catalog.retired)
    for model_id, shutdown in sorted(listed.items()):
        if model_id not in known and shutdown is not None:
            lines.append(f"new: {model_id} shuts down on {shutdown} (not in the catalog)")
    return lines


def _entry_changes(model: RetiredModel, listed: Dict[str, Optional[date]]) -> List[str]:
    ours = model.retired_at.date()
    checked = f" (catalog checked {model.fetched_at})" if model.fetched_at else ""
    if model.id not in listed:
        return [f"absent: {model.id} is not in the list; the catalog retires it on {ours}{checked}"]
    theirs = listed[model.id]
    if theirs is None:
        return [f"no date: {model.id} is listed without a shutdown date; the catalog retires it on {ours}{checked}"]
    if theirs != ours:
        return [f"changed: {model.id} shuts down on {theirs} in the list, on {ours} in the catalog{checked}"]
    return []

"""v4-migrate's runtime safety net: retired DeepSeek model ids keep working, loudly.

    from openai import OpenAI
    from codemod.shim import wrap

    client = wrap(OpenAI(base_url="https://api.deepseek.com", api_key=...))
    client.chat.completions.create(model="deepseek-chat", messages=[...])

Before a retired id's cutoff the request goes out as written with a warning: DeprecationWarning
while more than 30 days remain, FutureWarning within them. If the API already rejects the id
(HTTP 400 naming the model, or a gateway's 404/410 model-not-found), the request is sent once
more with the replacement and its thinking mode, and later requests through the same client skip
the doomed attempt. After the cutoff the replacement is sent straight away, with
``extra_body={"thinking": {...}}`` keeping the old id's thinking mode, and logged once per id.

``<ENV_VAR>`` (e.g. ``DEEPSEEK_CHAT_MODEL``) picks the id sent for a retired one;
``V4_MIGRATE_TODAY=YYYY-MM-DD`` sets the reference date; ``V4_MIGRATE_STRICT=1`` turns every
remapping off. ``retry_transient()`` is a retry decorator that never retries a permanent error.

Standard library only, so it can live in a project as one file:
``python -m codemod.shim --vendor PATH`` (or ``v4-migrate --vendor-shim PATH``).
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import inspect
import logging
import os
import random
import re
import time
import warnings
from datetime import datetime
from typing import AbstractSet, Any, Callable, Dict, Mapping, NamedTuple, Optional, Set, Tuple

from codemod.deadline import (
    DEFAULT_ERROR_DAYS,
    describe_deadline,
    parse_instant,
    reference_instant,
    runtime_warning_category,
)

logger = logging.getLogger("v4_migrate.shim")

STRICT_ENV_VAR = "V4_MIGRATE_STRICT"
FIX_HINT = "Run `v4-migrate --fix` to migrate the code."

# The vendored copy carries the catalog's retired ids here (see vendor_source); the package reads
# rules/catalog.toml instead, so the data has one source of truth.
_CATALOG_SNAPSHOT: Optional[Dict[str, Any]] = None


# -- the retired ids --------------------------------------------------------------------------------


class LegacyModel(NamedTuple):
    id: str
    retired_at: datetime
    replacement: str
    thinking: Optional[str]  # "enabled", "disabled" or None
    env_var: Optional[str]  # names the id to send instead, when set


class ModelTable(NamedTuple):
    models: Mapping[str, LegacyModel]
    error_days: int  # days before the cutoff at which warnings become FutureWarning


def model_table(catalog: Any = None) -> ModelTable:
    """The retired ids the shim knows: a ``codemod.catalog.Catalog`` (say ``Catalog.load(overrides)``
    or a config's catalog), a mapping in snapshot form (``{"retired": {id: {...}}, "error_days": 30}``),
    or, by default, the built-in catalog."""
    if catalog is None:
        return _builtin_table()
    if isinstance(catalog, Mapping):
        return _table_from_snapshot(catalog)
    return _table_from_catalog(catalog)


@functools.lru_cache(maxsize=1)
def _builtin_table() -> ModelTable:
    if _CATALOG_SNAPSHOT is not None:
        return _table_from_snapshot(_CATALOG_SNAPSHOT)
    from codemod.catalog import default_catalog  # lazy: reads TOML; a vendored copy never gets here

    return _table_from_catalog(default_catalog())


def _table_from_catalog(catalog: Any) -> ModelTable:
    models = {
        m.id: LegacyModel(m.id, m.retired_at, m.replacement, m.thinking, m.env_var) for m in catalog.retired.values()
    }
    return ModelTable(models, catalog.error_days)


def _table_from_snapshot(snapshot: Mapping[str, Any]) -> ModelTable:
    models = {}
    for model_id, entry in snapshot.get("retired", {}).items():
        models[model_id] = LegacyModel(
            model_id, parse_instant(str(entry["retired_at"])), entry["replacement"], entry.get("thinking"), entry.get("env_var")
        )
    return ModelTable(models, int(snapshot.get("error_days", DEFAULT_ERROR_DAYS)))


# -- what to send -----------------------------------------------------------------------------------


class Reason:
    """Why a request is sent with the model it is."""

    NOT_LEGACY = "not-legacy"
    AS_WRITTEN = "as-written"  # before the cutoff: the legacy id, with a fallback if rejected
    STRICT = "strict"  # strict mode: the legacy id, no fallback
    ENV_OVERRIDE = "env-override"  # the id named by the legacy id's environment variable
    RETIRED = "retired"  # after the cutoff: the replacement
    REJECTED = "rejected"  # the API already rejected the legacy id here: the replacement


class Plan(NamedTuple):
    model: Any  # the id to send
    reason: str
    legacy: Optional[LegacyModel] = None
    thinking: Optional[str] = None  # the thinking mode to add, when a successor id is sent


def strict_mode() -> bool:
    return os.environ.get(STRICT_ENV_VAR, "").strip().lower() in ("1", "true", "yes", "on")


def is_past_cutoff(legacy: LegacyModel, now: Optional[datetime] = None) -> bool:
    return (now or reference_instant()) >= legacy.retired_at


def plan_request(
    model: Any,
    table: ModelTable,
    *,
    strict: bool = False,
    rejected: AbstractSet[str] = frozenset(),
    now: Optional[datetime] = None,
) -> Plan:
    legacy = table.models.get(model) if isinstance(model, str) else None
    if legacy is None:
        return Plan(model, Reason.NOT_LEGACY)
    if strict:
        return Plan(model, Reason.STRICT, legacy)
    override = os.environ.get(legacy.env_var, "").strip() if legacy.env_var else ""
    if override and override not in table.models:
        return Plan(override, Reason.ENV_OVERRIDE, legacy, legacy.thinking)
    if model in rejected:
        return Plan(legacy.replacement, Reason.REJECTED, legacy, legacy.thinking)
    if is_past_cutoff(legacy, now):
        return Plan(legacy.replacement, Reason.RETIRED, legacy, legacy.thinking)
    return Plan(model, Reason.AS_WRITTEN, legacy)


def resolve_model(name: Any, *, catalog: Any = None, strict: Optional[bool] = None) -> Any:
    """The model id the shim sends for ``name`` now: env override, catalog and date applied."""
    strict = strict_mode() if strict is None else strict
    return plan_request(name, model_table(catalog), strict=strict).model


def with_thinking(kwargs: Dict[str, Any], thinking: Optional[str]) -> Dict[str, Any]:
    """``kwargs`` with ``extra_body["thinking"]`` set, unless the caller already chose one."""
    if thinking is None:
        return kwargs
    extra = kwargs.get("extra_body")
    if extra is None:
        extra = {}
    if not isinstance(extra, Mapping) or "thinking" in extra:
        return kwargs  # the caller's own choice, or an object we cannot merge into
    return {**kwargs, "extra_body": {**extra, "thinking": {"type": thinking}}}


def request_kwargs(plan: Plan, kwargs: Dict[str, Any]) -> Dict[str, Any]:
    if plan.thinking is None and plan.model == kwargs.get("model"):
        return kwargs
    return with_thinking({**kwargs, "model": plan.model}, plan.thinking)


# -- recognising a rejected model id ----------------------------------------------------------------

# How APIs say "no such model" (DeepSeek: "The supported API model names are ..., but you passed X").
# Not "X does not support tools": that 400 must surface, not be retried with another model.
_REJECTION = re.compile(
    r"supported (?:api )?model names|model[ _]not[ _](?:found|exist)|(?:unknown|invalid|unsupported) model"
    r"|model\W+\S+\W+(?:does not exist|not found|is not supported|is no longer|has been (?:retired|deprecated))",
    re.IGNORECASE,
)


def is_model_rejection(exc: BaseException, model_id: str) -> bool:
    """True for DeepSeek's HTTP 400 naming the model, or a gateway's 404/410 model-not-found.

    Duck-typed on the SDK's APIStatusError (status_code, body, code, type), so it needs no import."""
    status = getattr(exc, "status_code", None)
    if status not in (400, 404, 410):
        return False
    text = f"{exc} {getattr(exc, 'body', '')}"
    if status == 400 and "invalid_request_error" not in f"{text} {getattr(exc, 'type', '')}":
        return False
    if status != 400 and getattr(exc, "code", None) == "model_not_found":
        return True
    return model_id in text and _REJECTION.search(text) is not None


# -- messages ---------------------------------------------------------------------------------------


def _successor(plan: Plan) -> str:
    thinking = f" with thinking {plan.thinking}" if plan.thinking else ""
    return f"`{plan.model}`{thinking}"


def deadline_message(legacy: LegacyModel, now: datetime, sending: Optional[Plan] = None) -> str:
    """The warning before the cutoff: names the id, its replacement, the date and the fix."""
    thinking = f" with thinking {legacy.thinking}" if legacy.thinking else ""
    message = (
        f"DeepSeek model id `{legacy.id}` {describe_deadline(legacy.retired_at, now.date())}; "
        f"replace it with `{legacy.replacement}`{thinking}."
    )
    if sending is not None and sending.reason == Reason.ENV_OVERRIDE:
        message += f" Sending {_successor(sending)} as {legacy.env_var} says."
    return f"{message} {FIX_HINT}"


def retired_message(plan: Plan) -> str:
    legacy = plan.legacy
    assert legacy is not None
    when = legacy.retired_at.strftime("%Y-%m-%d %H:%M UTC")
    lead = f"DeepSeek retired the model id `{legacy.id}` on {when}"
    if plan.reason == Reason.STRICT:
        return f"{lead}; strict mode ({STRICT_ENV_VAR}) sends it unchanged, and the API rejects it. {FIX_HINT}"
    source = f" ({legacy.env_var})" if plan.reason == Reason.ENV_OVERRIDE else ""
    return f"{lead}; sending {_successor(plan)}{source} instead. {FIX_HINT}"


_logged_retired_ids: Set[str] = set()


def _log_retired_once(plan: Plan) -> None:
    assert plan.legacy is not None
    if plan.legacy.id not in _logged_retired_ids:
        _logged_retired_ids.add(plan.legacy.id)
        logger.warning("%s", retired_message(plan))


# -- the wrapper ------------------------------------------------------------------------------------


class _Shim:
    """What a wrapped client shares: the model table, the strict setting and the ids the API rejected."""

    def __init__(self, table: ModelTable, strict: Optional[bool]):
        self.table = table
        self.strict = strict
        self.rejected: Set[str] = set()

    def plan(self, model: Any) -> Plan:
        strict = strict_mode() if self.strict is None else self.strict
        return plan_request(model, self.table, strict=strict, rejected=self.rejected)

    def announce(self, plan: Plan, stacklevel: int) -> None:
        if plan.legacy is None:
            return
        now = reference_instant()
        if is_past_cutoff(plan.legacy, now):
            _log_retired_once(plan)
            return
        category = runtime_warning_category(plan.legacy.retired_at, now.date(), self.table.error_days)
        warnings.warn(deadline_message(plan.legacy, now, plan), category, stacklevel=stacklevel + 1)

    def fallback(self, plan: Plan, kwargs: Dict[str, Any], exc: BaseException) -> Optional[Dict[str, Any]]:
        """The one retry the shim makes: the replacement, after the API rejected a legacy id."""
        if plan.reason != Reason.AS_WRITTEN or not is_model_rejection(exc, plan.model):
            return None
        assert plan.legacy is not None
        self.rejected.add(plan.legacy.id)
        retry_plan = Plan(plan.legacy.replacement, Reason.REJECTED, plan.legacy, plan.legacy.thinking)
        logger.warning(
            "The API rejected the model id `%s` (HTTP %s) before its cutoff; resending once with %s.",
            plan.legacy.id,
            getattr(exc, "status_code", "?"),
            _successor(retry_plan),
        )
        return request_kwargs(retry_plan, kwargs)

    def guard(self, method: Callable[..., Any]) -> Callable[..., Any]:
        """``method`` (sync or async) with the model remapped, announced and, once, fallen back."""

        @functools.wraps(method)
        def send(*args: Any, **kwargs: Any) -> Any:
            plan = self.plan(kwargs.get("model"))
            self.announce(plan, stacklevel=2)
            try:
                result = method(*args, **request_kwargs(plan, kwargs))
            except Exception as exc:
                retry_kwargs = self.fallback(plan, kwargs, exc)
                if retry_kwargs is None:
                    raise
                return method(*args, **retry_kwargs)
            if inspect.isawaitable(result):
                return self._await_with_fallback(method, args, kwargs, plan, result)
            return result

        return send

    async def _await_with_fallback(
        self, method: Callable[..., Any], args: Tuple[Any, ...], kwargs: Dict[str, Any], plan: Plan, pending: Any
    ) -> Any:
        try:
            return await pending
        except Exception as exc:
            retry_kwargs = self.fallback(plan, kwargs, exc)
            if retry_kwargs is None:
                raise
            return await method(*args, **retry_kwargs)


# Attributes on the way to a request method, the request methods, and client factories.
_DESCEND = frozenset({"chat", "completions", "beta", "with_raw_response", "with_streaming_response"})
_SENDERS = frozenset({"create", "parse", "stream"})
_CLIENT_FACTORIES = frozenset({"with_options", "copy"})


class _Proxy:
    """Looks like the wrapped object; request methods under ``completions`` go through the shim."""

    def __init__(self, target: Any, shim: _Shim, *, is_client: bool = False, under_completions: bool = False):
        self.__wrapped__ = target
        self._shim = shim
        self._is_client = is_client
        self._under_completions = under_completions

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # never delegated; also keeps copy/pickle from recursing
            raise AttributeError(name)
        value = getattr(self.__wrapped__, name)
        if name in _SENDERS and self._under_completions and callable(value):
            return self._shim.guard(value)
        if name in _DESCEND:
            return _Proxy(value, self._shim, under_completions=self._under_completions or name == "completions")
        if name in _CLIENT_FACTORIES and self._is_client and callable(value):
            return self._wrapping_factory(value)
        return value

    def _wrapping_factory(self, factory: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(factory)
        def make(*args: Any, **kwargs: Any) -> Any:
            return _Proxy(factory(*args, **kwargs), self._shim, is_client=True)

        return make

    def __repr__(self) -> str:
        return f"<v4-migrate shim around {self.__wrapped__!r}>"

    def __enter__(self) -> "_Proxy":
        self.__wrapped__.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> Any:
        return self.__wrapped__.__exit__(*exc_info)

    async def __aenter__(self) -> "_Proxy":
        await self.__wrapped__.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> Any:
        return await self.__wrapped__.__aexit__(*exc_info)


def wrap(client: Any, *, catalog: Any = None, strict: Optional[bool] = None) -> Any:
    """An object used exactly like ``client`` (OpenAI or AsyncOpenAI) whose chat and legacy
    completion requests go through the shim. ``catalog``: see ``model_table``; ``strict``:
    True/False, or None to follow ``V4_MIGRATE_STRICT`` at each request."""
    return _Proxy(client, _Shim(model_table(catalog), strict), is_client=True)


# -- retrying transient errors ----------------------------------------------------------------------

TRANSIENT_STATUSES = frozenset({408, 409, 429})


def is_transient(exc: BaseException) -> bool:
    """408, 409, 429, 5xx and connection errors (timeouts included). Judged by status code:
    ``openai.BadRequestError`` is an ``APIError`` too, and a 400 is permanent."""
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return status in TRANSIENT_STATUSES or status >= 500
    try:
        import openai
    except ImportError:
        return False
    return isinstance(exc, openai.APIConnectionError)  # APITimeoutError is one


def retry_after_seconds(exc: BaseException) -> Optional[float]:
    """The server's ``Retry-After`` (or ``retry-after-ms``) on the exception's response, if any."""
    headers = getattr(getattr(exc, "response", None), "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * scale)
        except ValueError:
            pass
    try:
        when = email.utils.parsedate_to_datetime(headers.get("retry-after") or "")
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


class RetryPolicy(NamedTuple):
    max_attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0  # a longer Retry-After is not waited out: the error surfaces

    def delay_before_retry(self, exc: BaseException, attempt: int) -> Optional[float]:
        """Seconds to wait before attempt ``attempt + 1``; None to give up and raise."""
        if attempt >= self.max_attempts or not is_transient(exc):
            return None
        retry_after = retry_after_seconds(exc)
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)  # jitter keeps clients from retrying in step


def _log_retry(func: Callable[..., Any], exc: BaseException, delay: float, attempt: int, policy: RetryPolicy) -> None:
    logger.info(
        "%s failed with %s; retry %d of %d in %.2fs",
        getattr(func, "__qualname__", func),
        type(exc).__name__,
        attempt,
        policy.max_attempts - 1,
        delay,
    )


def retry_transient(
    max_attempts: Any = 3, *, base_delay: float = 0.5, max_delay: float = 8.0, max_retry_after: float = 60.0
) -> Any:
    """Decorator for sync and async functions: retries transient API errors (``is_transient``)
    with exponential backoff and jitter, honouring ``Retry-After``; every other error surfaces
    at once. ``@retry_transient`` and ``@retry_transient(max_attempts=5)`` both work."""
    if callable(max_attempts):
        return retry_transient()(max_attempts)
    policy = RetryPolicy(max_attempts, base_delay, max_delay, max_retry_after)

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def retrying_async(*args: Any, **kwargs: Any) -> Any:
                attempt = 1
                while True:
                    try:
                        return await func(*args, **kwargs)
                    except Exception as exc:
                        delay = policy.delay_before_retry(exc, attempt)
                        if delay is None:
                            raise
                        _log_retry(func, exc, delay, attempt, policy)
                    await asyncio.sleep(delay)
                    attempt += 1

            return retrying_async

        @functools.wraps(func)
        def retrying(*args: Any, **kwargs: Any) -> Any:
            attempt = 1
            while True:
                try:
                    return func(*args, **kwargs)
                except Exception as exc:
                    delay = policy.delay_before_retry(exc, attempt)
                    if delay is None:
                        raise
                    _log_retry(func, exc, delay, attempt, policy)
                time.sleep(delay)
                attempt += 1

        return retrying

    return decorate


# -- packaging: everything from here on builds the vendored copy and is left out of it --------------

_PACKAGING_MARKER = "# -- packaging:"
VENDOR_USAGE = "python -m codemod.shim --vendor PATH"


def snapshot_of(catalog: Any) -> Dict[str, Any]:
    """A catalog's retired ids as plain data, the form ``_table_from_snapshot`` reads."""
    retired = {
        m.id: {
            "retired_at": m.retired_at.isoformat(),
            "replacement": m.replacement,
            "thinking": m.thinking,
            "env_var": m.env_var,
        }
        for m in catalog.retired.values()
    }
    return {"retired": retired, "error_days": catalog.error_days}


def _drop_lines(text: str, spans: Mapping[Tuple[int, int], str]) -> str:
    """``text`` with each 1-based inclusive line span replaced by its text."""
    lines = text.splitlines(keepends=True)
    for (first, last), replacement in sorted(spans.items(), reverse=True):
        lines[first - 1 : last] = [replacement] if replacement else []
    return "".join(lines)


def _module_body(text: str, snapshot: Optional[Dict[str, Any]] = None) -> str:
    """A module's code without its docstring, ``__future__`` and ``codemod`` imports; with
    ``snapshot``, ``_CATALOG_SNAPSHOT`` is assigned that data."""
    import ast
    import pprint

    spans: Dict[Tuple[int, int], str] = {}
    for index, node in enumerate(ast.parse(text).body):
        span = (node.lineno, node.end_lineno or node.lineno)
        is_docstring = index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        imported = node.module if isinstance(node, ast.ImportFrom) else ""
        if is_docstring or imported == "__future__" or (imported or "").startswith("codemod"):
            spans[span] = ""
        elif snapshot is not None and isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "_CATALOG_SNAPSHOT":
            spans[span] = f"_CATALOG_SNAPSHOT: Optional[Dict[str, Any]] = {pprint.pformat(snapshot, width=100)}\n"
    return _drop_lines(text, spans).strip("\n") + "\n"


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def vendor_source() -> str:
    """The shim as one standard-library-only file: deadline.py, this module up to the packaging
    section, and a snapshot of the built-in catalog's retired ids."""
    from codemod import __version__, deadline
    from codemod.catalog import default_catalog

    shim_lines = _read(__file__).splitlines(keepends=True)
    marker = next(i for i, line in enumerate(shim_lines) if line.startswith(_PACKAGING_MARKER))
    shim_runtime = "".join(shim_lines[:marker])
    from codemod.ftypes import VENDORED_MARKER

    header = (
        VENDORED_MARKER.decode("ascii") + "\n"
        f'"""Vendored copy of the v4-migrate runtime shim (deepseek-v4-migrate {__version__}).\n\n'
        f"Generated by `{VENDOR_USAGE}` or `v4-migrate --vendor-shim PATH`;\n"
        "regenerate it rather than editing it. Standard library only.\n\n"
        "    client = wrap(OpenAI(...))  # see wrap()\n\n"
        "    @retry_transient()  # see retry_transient()\n"
        "    def ask(...): ...\n"
        '"""\n\n'
        "from __future__ import annotations\n\n"
        f"VENDORED_FROM = {('deepseek-v4-migrate ' + __version__)!r}\n\n"
    )
    return (
        header
        + "# -- from codemod/deadline.py " + "-" * 70 + "\n\n"
        + _module_body(_read(deadline.__file__))
        + "\n\n# -- from codemod/shim.py " + "-" * 73 + "\n\n"
        + _module_body(shim_runtime, snapshot=snapshot_of(default_catalog()))
    )


def write_vendored(path: Any) -> Any:
    """Write ``vendor_source()`` to ``path`` (a file, or a folder to put ``v4_migrate_shim.py`` in)."""
    from pathlib import Path

    from codemod.applier import write_text_atomic  # a full disk leaves no half-written shim

    target = Path(path)
    if target.is_dir():
        target = target / "v4_migrate_shim.py"
    write_text_atomic(target, vendor_source())
    return target


def main(argv: Optional[list] = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m codemod.shim", description="v4-migrate's runtime shim.")
    parser.add_argument("--vendor", metavar="PATH", required=True, help="write the shim as one stdlib-only file to PATH")
    args = parser.parse_args(argv)
    written = write_vendored(args.vendor)
    print(f"wrote {written}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

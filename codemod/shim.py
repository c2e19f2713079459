"""v4-migrate's runtime safety net: retired model ids keep working, loudly.

    from openai import OpenAI
    from codemod.shim import wrap

    client = wrap(OpenAI(base_url="https://api.deepseek.com", api_key=...))
    client.chat.completions.create(model="deepseek-chat", messages=[...])

``wrap`` takes an ``openai`` client (OpenAI or AsyncOpenAI, pointed at any OpenAI-compatible API)
or an ``anthropic`` one (Anthropic or AsyncAnthropic). Before a retired id's cutoff the request
goes out as written with a warning: DeprecationWarning while more than 30 days remain,
FutureWarning within them. If the API answers that the id is gone (each provider's shape is in
``RETIRED_ANSWERS``: status, error code, and the id echoed in the message), the request is sent
once more with the catalog's replacement, and later requests through the same client skip the
doomed attempt. Only ids in the catalog are ever resent: a typo gets the same 404 as a retired id.

DeepSeek's successors are the same models under new names, so after DeepSeek's cutoff the
replacement is sent straight away, with ``extra_body={"thinking": {...}}`` keeping the old id's
thinking mode, and logged once per id. Other providers' successors are different models: their
requests always go out as written (with the warning), and only the retired-model answer makes
the shim resend.

``<ENV_VAR>`` (e.g. ``DEEPSEEK_CHAT_MODEL``) picks the id sent for a retired one (for providers
other than DeepSeek: the id resent after the retired-model answer); ``V4_MIGRATE_TODAY=YYYY-MM-DD``
sets the reference date; ``V4_MIGRATE_STRICT=1`` turns every remapping off. ``retry_transient()``
is a retry decorator that never retries a permanent error.

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
from typing import AbstractSet, Any, Callable, Dict, FrozenSet, Mapping, NamedTuple, Optional, Set, Tuple

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


# Providers whose successors are the same models under new names: after the cutoff the shim sends
# the successor directly, thinking mode included. Every other provider's successor is a different
# model, sent only after the API has answered that the old id is gone.
RENAMING_PROVIDERS = frozenset({"deepseek"})
PROVIDER_NAMES = {"deepseek": "DeepSeek", "openai": "OpenAI", "anthropic": "Anthropic", "gemini": "Gemini",
                  "vertex": "Vertex AI", "groq": "Groq", "xai": "xAI"}


class LegacyModel(NamedTuple):
    id: str
    retired_at: datetime
    replacement: str
    thinking: Optional[str]  # "enabled", "disabled" or None
    env_var: Optional[str]  # names the id to send instead, when set
    provider: str = "deepseek"
    fetched_at: Optional[str] = None  # when the replacement was last checked against the provider's page

    @property
    def renamed_in_place(self) -> bool:
        return self.provider in RENAMING_PROVIDERS

    @property
    def provider_name(self) -> str:
        return PROVIDER_NAMES.get(self.provider, self.provider)


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
    from codemod.catalog import every_provider_catalog  # lazy: reads TOML; a vendored copy never gets here

    return _table_from_catalog(every_provider_catalog())


def _checked_on(value: Any) -> Optional[str]:
    return str(value) if value else None


def _table_from_catalog(catalog: Any) -> ModelTable:
    models = {
        m.id: LegacyModel(
            m.id,
            m.retired_at,
            m.replacement,
            m.thinking,
            m.env_var,
            getattr(m, "provider", "deepseek"),
            _checked_on(getattr(m, "fetched_at", None)),
        )
        for m in catalog.retired.values()
    }
    return ModelTable(models, catalog.error_days)


def _table_from_snapshot(snapshot: Mapping[str, Any]) -> ModelTable:
    models = {}
    for model_id, entry in snapshot.get("retired", {}).items():
        models[model_id] = LegacyModel(
            model_id,
            parse_instant(str(entry["retired_at"])),
            entry["replacement"],
            entry.get("thinking"),
            entry.get("env_var"),
            entry.get("provider") or "deepseek",
            _checked_on(entry.get("fetched_at")),
        )
    return ModelTable(models, int(snapshot.get("error_days", DEFAULT_ERROR_DAYS)))


# -- what to send -----------------------------------------------------------------------------------


class Reason:
    """Why a request is sent with the model it is."""

    NOT_LEGACY = "not-legacy"
    AS_WRITTEN = "as-written"  # the legacy id, with a fallback if the API answers that it is gone
    STRICT = "strict"  # strict mode: the legacy id, no fallback
    ENV_OVERRIDE = "env-override"  # the id named by the legacy id's environment variable
    RETIRED = "retired"  # after a renaming provider's cutoff: the replacement
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
    renamed = legacy.renamed_in_place
    thinking = legacy.thinking if renamed else None  # other providers' successors have no such mode to keep
    override = os.environ.get(legacy.env_var, "").strip() if legacy.env_var else ""
    if override and override not in table.models and (renamed or model in rejected):
        return Plan(override, Reason.ENV_OVERRIDE, legacy, thinking)
    if model in rejected:
        return Plan(legacy.replacement, Reason.REJECTED, legacy, thinking)
    if renamed and is_past_cutoff(legacy, now):
        return Plan(legacy.replacement, Reason.RETIRED, legacy, thinking)
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


# -- recognising a retired model id ----------------------------------------------------------------

# Wording for the two answers that carry no code of their own (DeepSeek: "The supported API model
# names are ..., but you passed X"; gateways: "model X does not exist"). Not "X does not support
# tools": that 400 must surface, not be resent with another model.
_REJECTION = re.compile(
    r"supported (?:api )?model names|model[ _]not[ _](?:found|exist)|(?:unknown|invalid|unsupported) model"
    r"|model\W+\S+\W+(?:does not exist|not found|is not supported|is no longer|has been (?:retired|deprecated))",
    re.IGNORECASE,
)


class RetiredAnswer(NamedTuple):
    """One API's way of saying a model id is gone: an HTTP status and one field of the error object
    (``field`` None: any), plus ``wording`` only where the API has no code to match."""

    provider: str
    statuses: FrozenSet[int]
    field: Optional[str]
    value: Optional[str]
    wording: Optional["re.Pattern[str]"] = None

    def matches(self, status: int, error: Mapping[str, Any], message: str) -> bool:
        return (
            status in self.statuses
            and (self.field is None or error.get(self.field) == self.value)
            and (self.wording is None or self.wording.search(message) is not None)
        )


# Matched in order; every one also needs the model id echoed in the error message.
RETIRED_ANSWERS = (
    RetiredAnswer("openai", frozenset({404}), "code", "model_not_found"),  # xAI answers the same
    RetiredAnswer("anthropic", frozenset({404}), "type", "not_found_error"),
    RetiredAnswer("gemini", frozenset({404}), "status", "NOT_FOUND"),
    RetiredAnswer("groq", frozenset({400}), "code", "model_decommissioned"),
    RetiredAnswer("deepseek", frozenset({400}), "type", "invalid_request_error", _REJECTION),
    RetiredAnswer("gateway", frozenset({404, 410}), None, None, _REJECTION),
)


def _error_object(exc: BaseException) -> Mapping[str, Any]:
    """The ``error`` object of an SDK exception's body: the openai SDK keeps only that object,
    the anthropic SDK the whole body, and Gemini may wrap the body in a one-item list."""
    body = getattr(exc, "body", None)
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        return body["error"]
    return body if isinstance(body, Mapping) else {}


def _names_model(message: str, model_id: str) -> bool:
    """``model_id`` as a whole token: `gpt-4` is not named by a message about `gpt-4-0613` or `gpt-4.1`."""
    return re.search(rf"(?<![\w.-]){re.escape(model_id)}(?![\w-]|\.\w)", message) is not None


def retired_answer(exc: BaseException, model_id: str) -> Optional[RetiredAnswer]:
    """The entry of ``RETIRED_ANSWERS`` that ``exc`` (an SDK's APIStatusError, duck-typed on
    ``status_code`` and ``body``, so nothing is imported) matches for ``model_id``, if any."""
    status = getattr(exc, "status_code", None)
    error = _error_object(exc)
    message = error.get("message")
    message = message if isinstance(message, str) else str(exc)
    if not isinstance(status, int) or not _names_model(message, model_id):
        return None  # an unrelated 404 (a wrong path, another resource) never triggers a resend
    return next((answer for answer in RETIRED_ANSWERS if answer.matches(status, error, message)), None)


def is_model_rejection(exc: BaseException, model_id: str) -> bool:
    """True when ``exc`` is an API's answer that ``model_id`` is retired or unknown (see ``RETIRED_ANSWERS``)."""
    return retired_answer(exc, model_id) is not None


# -- messages ---------------------------------------------------------------------------------------


def _checked(legacy: LegacyModel) -> str:
    """Successors are advice that providers rewrite, so say when this one was checked."""
    return f", recommended when last checked ({legacy.fetched_at})" if legacy.fetched_at else ""


def _successor(plan: Plan) -> str:
    thinking = f" with thinking {plan.thinking}" if plan.thinking else ""
    assert plan.legacy is not None
    checked = _checked(plan.legacy) if plan.model == plan.legacy.replacement else ""
    return f"`{plan.model}`{thinking}{checked}"


def deadline_message(legacy: LegacyModel, now: datetime, sending: Optional[Plan] = None) -> str:
    """The warning before the cutoff: names the id, its replacement, the date and the fix."""
    thinking = f" with thinking {legacy.thinking}" if legacy.thinking and legacy.renamed_in_place else ""
    message = (
        f"{legacy.provider_name} model id `{legacy.id}` {describe_deadline(legacy.retired_at, now.date())}; "
        f"replace it with `{legacy.replacement}`{thinking}{_checked(legacy)}."
    )
    if sending is not None and sending.reason == Reason.ENV_OVERRIDE:
        message += f" Sending {_successor(sending)} as {legacy.env_var} says."
    return f"{message} {FIX_HINT}"


def retired_message(plan: Plan) -> str:
    legacy = plan.legacy
    assert legacy is not None
    when = legacy.retired_at.strftime("%Y-%m-%d %H:%M UTC")
    lead = f"{legacy.provider_name} retired the model id `{legacy.id}` on {when}"
    if plan.reason == Reason.STRICT:
        return f"{lead}; strict mode ({STRICT_ENV_VAR}) sends it unchanged, and the API rejects it. {FIX_HINT}"
    source = f" ({legacy.env_var})" if plan.reason == Reason.ENV_OVERRIDE else ""
    return f"{lead}; sending {_successor(plan)}{source} instead. {FIX_HINT}"


def fallback_message(legacy: LegacyModel, exc: BaseException, resend: Plan) -> str:
    source = f" ({legacy.env_var})" if resend.reason == Reason.ENV_OVERRIDE else ""
    return (
        f"The API rejected the model id `{legacy.id}` (HTTP {getattr(exc, 'status_code', '?')}) as retired; "
        f"resending once with {_successor(resend)}{source}, and sending that from now on through this client. {FIX_HINT}"
    )


_logged_retired_ids: Set[str] = set()


def _log_once(model_id: str, message: str) -> None:
    """One log line per retired id per process, however many requests use it."""
    if model_id not in _logged_retired_ids:
        _logged_retired_ids.add(model_id)
        logger.warning("%s", message)


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
        if plan.legacy.renamed_in_place and is_past_cutoff(plan.legacy, now):
            _log_once(plan.legacy.id, retired_message(plan))
            return
        category = runtime_warning_category(plan.legacy.retired_at, now.date(), self.table.error_days)
        warnings.warn(deadline_message(plan.legacy, now, plan), category, stacklevel=stacklevel + 1)

    def fallback(self, plan: Plan, kwargs: Dict[str, Any], exc: BaseException) -> Optional[Dict[str, Any]]:
        """The one resend the shim makes: the successor, after the API answered that a catalog id is
        gone. Never for an id outside the catalog, for strict mode, or for any other error."""
        if plan.reason != Reason.AS_WRITTEN or retired_answer(exc, plan.model) is None:
            return None
        legacy = plan.legacy
        assert legacy is not None
        self.rejected.add(legacy.id)
        resend = plan_request(legacy.id, self.table, rejected=self.rejected)
        _log_once(legacy.id, fallback_message(legacy, exc, resend))
        return request_kwargs(resend, kwargs)

    def guard(self, method: Callable[..., Any], *, opens_on_entry: bool = False) -> Callable[..., Any]:
        """``method`` (sync or async) with the model remapped, announced and, once, fallen back.
        ``opens_on_entry``: ``method`` returns a context manager that sends the request on entry."""

        @functools.wraps(method)
        def send(*args: Any, **kwargs: Any) -> Any:
            plan = self.plan(kwargs.get("model"))
            self.announce(plan, stacklevel=2)
            if opens_on_entry:
                return _FallbackOnEntry(self, method, args, kwargs, plan)
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


class _FallbackOnEntry:
    """The context manager of ``messages.stream()``, ``chat.completions.stream()`` or a
    ``with_streaming_response`` method: its request goes out on ``with`` entry, so the fallback
    happens there."""

    def __init__(self, shim: _Shim, method: Callable[..., Any], args: Tuple[Any, ...], kwargs: Dict[str, Any], plan: Plan):
        self._shim = shim
        self._method = method
        self._args = args
        self._kwargs = kwargs
        self._plan = plan
        self._manager = method(*args, **request_kwargs(plan, kwargs))

    def _replace_after(self, exc: BaseException) -> bool:
        retry_kwargs = self._shim.fallback(self._plan, self._kwargs, exc)
        if retry_kwargs is None:
            return False
        self._manager = self._method(*self._args, **retry_kwargs)
        return True

    def __enter__(self) -> Any:
        try:
            return self._manager.__enter__()
        except Exception as exc:
            if not self._replace_after(exc):
                raise
        return self._manager.__enter__()

    def __exit__(self, *exc_info: Any) -> Any:
        return self._manager.__exit__(*exc_info)

    async def __aenter__(self) -> Any:
        try:
            return await self._manager.__aenter__()
        except Exception as exc:
            if not self._replace_after(exc):
                raise
        return await self._manager.__aenter__()

    async def __aexit__(self, *exc_info: Any) -> Any:
        return await self._manager.__aexit__(*exc_info)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._manager, name)


# Attributes on the way to a request method, the resources whose methods send a model (OpenAI's
# chat.completions, completions and responses, Anthropic's messages), the request methods, and
# client factories.
_DESCEND = frozenset({"chat", "completions", "messages", "responses", "beta", "with_raw_response", "with_streaming_response"})
_REQUEST_RESOURCES = frozenset({"completions", "messages", "responses"})
_SENDERS = frozenset({"create", "parse", "stream"})
_CLIENT_FACTORIES = frozenset({"with_options", "copy"})


class _Proxy:
    """Looks like the wrapped object; request methods under ``completions`` or ``messages`` go
    through the shim."""

    def __init__(
        self, target: Any, shim: _Shim, *, is_client: bool = False, under_resource: bool = False, streaming: bool = False
    ):
        self.__wrapped__ = target
        self._shim = shim
        self._is_client = is_client
        self._under_resource = under_resource
        self._streaming = streaming  # under with_streaming_response: every method returns a context manager

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # never delegated; also keeps copy/pickle from recursing
            raise AttributeError(name)
        value = getattr(self.__wrapped__, name)
        if name in _SENDERS and self._under_resource and callable(value):
            return self._shim.guard(value, opens_on_entry=self._streaming or name == "stream")
        if name in _DESCEND:
            return _Proxy(
                value,
                self._shim,
                under_resource=self._under_resource or name in _REQUEST_RESOURCES,
                streaming=self._streaming or name == "with_streaming_response",
            )
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
    """An object used exactly like ``client`` whose model requests go through the shim: an
    ``openai`` client (OpenAI, AsyncOpenAI: ``chat.completions`` and ``completions``) or an
    ``anthropic`` one (Anthropic, AsyncAnthropic: ``messages``), each method's ``create``, ``parse``
    and ``stream``. ``catalog``: see ``model_table``; ``strict``: True/False, or None to follow
    ``V4_MIGRATE_STRICT`` at each request."""
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
            "provider": getattr(m, "provider", "deepseek"),
            "fetched_at": _checked_on(getattr(m, "fetched_at", None)),
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
    from codemod.catalog import every_provider_catalog

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
        + _module_body(shim_runtime, snapshot=snapshot_of(every_provider_catalog()))
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

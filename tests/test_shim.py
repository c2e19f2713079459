"""The runtime shim against a fake DeepSeek API, driven by the real openai SDK."""

from __future__ import annotations

import ast
import asyncio
import email.utils
import json
import logging
import socket
import subprocess
import sys
import sysconfig
import time
import warnings

import openai
import pytest
from openai import AsyncOpenAI, OpenAI

from codemod import shim
from codemod.catalog import Catalog, every_provider_catalog, provider_names
from fake_deepseek import Reply, error_body, gateway_not_found_body, rate_limited, unauthorized, unavailable

BEFORE_FAR = "2026-05-01"  # 84 days before the cutoff
BEFORE_NEAR = "2026-07-10"  # 14 days before
AFTER = "2026-11-28"
MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("V4_MIGRATE_TODAY", "V4_MIGRATE_STRICT", "DEEPSEEK_CHAT_MODEL", "DEEPSEEK_REASONER_MODEL"):
        monkeypatch.delenv(name, raising=False)
    shim._logged_retired_ids.clear()


def today(monkeypatch, day: str) -> None:
    monkeypatch.setenv("V4_MIGRATE_TODAY", day)


def client_for(server, **options) -> OpenAI:
    options.setdefault("max_retries", 0)
    return OpenAI(base_url=server.base_url, api_key="test", **options)


def async_client_for(server, **options) -> AsyncOpenAI:
    options.setdefault("max_retries", 0)
    return AsyncOpenAI(base_url=server.base_url, api_key="test", **options)


def ask(client, model="deepseek-chat", **kwargs):
    return client.chat.completions.create(model=model, messages=MESSAGES, **kwargs)


def shim_logs(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "v4_migrate.shim"]


# -- after the cutoff: replaced before sending ------------------------------------------------------


@pytest.mark.parametrize("legacy, thinking", [("deepseek-chat", "disabled"), ("deepseek-reasoner", "enabled"), ("deepseek-coder", "disabled")])
def test_after_cutoff_sends_the_replacement_with_the_old_thinking_mode(deepseek, monkeypatch, legacy, thinking):
    today(monkeypatch, AFTER)
    reply = ask(shim.wrap(client_for(deepseek)), legacy)
    assert reply.choices[0].message.content == "Hello from the fake"
    assert [(r.model, r.thinking) for r in deepseek.requests] == [("deepseek-v4-flash", thinking)]


def test_after_cutoff_logs_once_per_id(deepseek, monkeypatch, caplog):
    today(monkeypatch, AFTER)
    client = shim.wrap(client_for(deepseek))
    with caplog.at_level(logging.WARNING, logger="v4_migrate.shim"):
        for _ in range(3):
            ask(client, "deepseek-chat")
        ask(client, "deepseek-reasoner")
    logs = shim_logs(caplog)
    assert len(logs) == 2
    assert "`deepseek-chat`" in logs[0] and "2026-07-24 15:59 UTC" in logs[0] and "`deepseek-v4-flash` with thinking disabled" in logs[0]
    assert "v4-migrate --fix" in logs[0]
    assert len(deepseek.requests) == 4


def test_cutoff_day_counts_as_retired(deepseek, monkeypatch):
    today(monkeypatch, "2026-07-24")
    ask(shim.wrap(client_for(deepseek)))
    assert deepseek.models == ["deepseek-v4-flash"]


def test_thinking_is_merged_into_the_callers_extra_body(deepseek, monkeypatch):
    today(monkeypatch, AFTER)
    client = shim.wrap(client_for(deepseek))
    user_body = {"user_key": 1}
    ask(client, extra_body=user_body)
    ask(client, "deepseek-reasoner", extra_body={"thinking": {"type": "disabled"}})
    first, second = deepseek.requests
    assert first.body["user_key"] == 1 and first.thinking == "disabled"
    assert user_body == {"user_key": 1}  # the caller's dict is not mutated
    assert second.model == "deepseek-v4-flash" and second.thinking == "disabled"  # the caller's choice wins


def test_current_ids_pass_through_untouched(deepseek, monkeypatch):
    today(monkeypatch, AFTER)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ask(shim.wrap(client_for(deepseek)), "deepseek-v4-pro")
    assert caught == []
    assert deepseek.requests[0].body == {"model": "deepseek-v4-pro", "messages": MESSAGES}


def test_environment_variable_picks_the_id_sent(deepseek, monkeypatch):
    today(monkeypatch, AFTER)
    monkeypatch.setenv("DEEPSEEK_CHAT_MODEL", "deepseek-v4-pro")
    ask(shim.wrap(client_for(deepseek)))
    assert [(r.model, r.thinking) for r in deepseek.requests] == [("deepseek-v4-pro", "disabled")]


def test_strict_mode_sends_the_id_as_written_and_surfaces_the_400(deepseek, monkeypatch):
    today(monkeypatch, AFTER)
    monkeypatch.setenv("V4_MIGRATE_STRICT", "1")
    monkeypatch.setenv("DEEPSEEK_CHAT_MODEL", "deepseek-v4-pro")
    with pytest.raises(openai.BadRequestError) as error:
        ask(shim.wrap(client_for(deepseek)))
    assert "you passed deepseek-chat" in str(error.value)
    assert deepseek.models == ["deepseek-chat"]


# -- before the cutoff: as written, warned, one fallback ------------------------------------------


@pytest.mark.parametrize(
    "day, category",
    [
        ("2026-05-01", DeprecationWarning),
        ("2026-06-23", DeprecationWarning),  # 31 days left
        ("2026-06-24", FutureWarning),  # 30 days left
        ("2026-07-23", FutureWarning),
    ],
)
def test_before_cutoff_sends_as_written_with_a_tiered_warning(deepseek, monkeypatch, day, category):
    today(monkeypatch, day)
    deepseek.retired_ids.clear()  # the API still serves the legacy names
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ask(shim.wrap(client_for(deepseek)))
    assert [w.category for w in caught] == [category]
    message = str(caught[0].message)
    for part in ("`deepseek-chat`", "`deepseek-v4-flash` with thinking disabled", "2026-07-24", "v4-migrate --fix"):
        assert part in message
    assert caught[0].filename == __file__  # points at the caller's line
    assert [(r.model, r.thinking) for r in deepseek.requests] == [("deepseek-chat", None)]


def test_rejected_before_cutoff_resends_once_with_the_replacement(deepseek, monkeypatch, caplog):
    today(monkeypatch, BEFORE_NEAR)
    client = shim.wrap(client_for(deepseek))
    with pytest.warns(FutureWarning), caplog.at_level(logging.WARNING, logger="v4_migrate.shim"):
        reply = ask(client, "deepseek-reasoner")
        ask(client, "deepseek-reasoner")  # the rejection is remembered: no doomed attempt
    assert reply.choices[0].message.content == "Hello from the fake"
    assert [(r.model, r.thinking) for r in deepseek.requests] == [
        ("deepseek-reasoner", None),
        ("deepseek-v4-flash", "enabled"),
        ("deepseek-v4-flash", "enabled"),
    ]
    assert any("rejected the model id `deepseek-reasoner` (HTTP 400)" in m for m in shim_logs(caplog))


@pytest.mark.parametrize(
    "reply",
    [
        Reply(404, gateway_not_found_body("deepseek-chat")),
        Reply(410, error_body("The model deepseek-chat has been retired", "invalid_request_error")),
        Reply(400, error_body("The model `deepseek-chat` does not exist", "invalid_request_error")),
    ],
)
def test_gateway_model_not_found_triggers_the_fallback(deepseek, monkeypatch, reply):
    today(monkeypatch, BEFORE_FAR)
    deepseek.script(reply)
    with pytest.warns(DeprecationWarning):
        ask(shim.wrap(client_for(deepseek)))
    assert deepseek.models == ["deepseek-chat", "deepseek-v4-flash"]


@pytest.mark.parametrize(
    "reply, error",
    [
        (unauthorized(), openai.AuthenticationError),
        (Reply(402, error_body("Insufficient Balance", "invalid_request_error")), openai.APIStatusError),
        (Reply(422, error_body("Invalid parameters", "invalid_request_error")), openai.UnprocessableEntityError),
        (Reply(400, error_body("messages must not be empty", "invalid_request_error")), openai.BadRequestError),
        (Reply(400, error_body("Function calling is not supported for model deepseek-chat", "invalid_request_error")), openai.BadRequestError),
        (Reply(404, error_body("no route /v9/chat/completions", "invalid_request_error")), openai.NotFoundError),
    ],
)
def test_other_errors_surface_unchanged_and_are_not_resent(deepseek, monkeypatch, reply, error):
    today(monkeypatch, BEFORE_FAR)
    deepseek.script(reply)
    with pytest.warns(DeprecationWarning), pytest.raises(error) as raised:
        ask(shim.wrap(client_for(deepseek, max_retries=2)))
    assert raised.value.status_code == reply.status
    assert deepseek.models == ["deepseek-chat"]


def test_strict_mode_never_falls_back(deepseek, monkeypatch):
    today(monkeypatch, BEFORE_FAR)
    monkeypatch.setenv("V4_MIGRATE_STRICT", "yes")
    with pytest.warns(DeprecationWarning), pytest.raises(openai.BadRequestError):
        ask(shim.wrap(client_for(deepseek)))
    assert deepseek.models == ["deepseek-chat"]


def test_sdk_retries_run_under_the_remapped_id(deepseek, monkeypatch):
    today(monkeypatch, AFTER)
    deepseek.script(Reply(503, error_body("busy", "server_error"), {"Retry-After": "0.01"}))
    ask(shim.wrap(client_for(deepseek, max_retries=2)))
    assert [(r.model, r.thinking) for r in deepseek.requests] == [("deepseek-v4-flash", "disabled")] * 2


# -- streaming, async, other endpoints, delegation --------------------------------------------------


def test_streaming_after_cutoff(deepseek, monkeypatch):
    today(monkeypatch, AFTER)
    stream = ask(shim.wrap(client_for(deepseek)), stream=True)
    assert "".join(chunk.choices[0].delta.content for chunk in stream) == "Hello from the fake"
    assert deepseek.requests[0].body["stream"] is True and deepseek.requests[0].thinking == "disabled"


def test_streaming_fallback_before_cutoff(deepseek, monkeypatch):
    today(monkeypatch, BEFORE_NEAR)
    with pytest.warns(FutureWarning):
        stream = ask(shim.wrap(client_for(deepseek)), stream=True)
    assert "".join(chunk.choices[0].delta.content for chunk in stream) == "Hello from the fake"
    assert deepseek.models == ["deepseek-chat", "deepseek-v4-flash"]


def test_async_client_remaps_and_falls_back(deepseek, monkeypatch):
    async def scenario():
        client = shim.wrap(async_client_for(deepseek))
        today(monkeypatch, AFTER)
        reply = await ask(client, "deepseek-reasoner")
        today(monkeypatch, BEFORE_NEAR)
        with pytest.warns(FutureWarning):
            stream = await ask(client, "deepseek-chat", stream=True)
        text = "".join([chunk.choices[0].delta.content async for chunk in stream])
        await client.close()
        return reply, text

    reply, text = asyncio.run(scenario())
    assert reply.choices[0].message.content == text == "Hello from the fake"
    assert [(r.model, r.thinking) for r in deepseek.requests] == [
        ("deepseek-v4-flash", "enabled"),
        ("deepseek-chat", None),
        ("deepseek-v4-flash", "disabled"),
    ]


def test_async_errors_surface(deepseek, monkeypatch):
    today(monkeypatch, AFTER)
    deepseek.script(unauthorized())

    async def scenario():
        async with shim.wrap(async_client_for(deepseek)) as client:
            await ask(client)

    with pytest.raises(openai.AuthenticationError):
        asyncio.run(scenario())
    assert deepseek.models == ["deepseek-v4-flash"]


def test_legacy_completions_endpoint(deepseek, monkeypatch):
    today(monkeypatch, AFTER)
    reply = shim.wrap(client_for(deepseek)).completions.create(model="deepseek-chat", prompt="def f(")
    assert reply.choices[0].text == "Hello from the fake"
    assert [(r.path, r.model, r.thinking) for r in deepseek.requests] == [("/completions", "deepseek-v4-flash", "disabled")]


def test_everything_else_is_delegated(deepseek, monkeypatch):
    today(monkeypatch, AFTER)
    raw = client_for(deepseek)
    with shim.wrap(raw) as client:
        assert client.api_key == "test" and client.max_retries == 0
        assert client.chat.completions.create.__name__ == "create"
        response = client.chat.completions.with_raw_response.create(model="deepseek-chat", messages=MESSAGES)
        assert response.http_response.status_code == 200
        ask(client.with_options(timeout=5))  # a derived client is wrapped too
        assert "shim around" in repr(client) and client.__wrapped__ is raw
    assert deepseek.models == ["deepseek-v4-flash", "deepseek-v4-flash"]


def test_wrap_takes_a_catalog_with_overrides(deepseek, monkeypatch):
    today(monkeypatch, AFTER)
    catalog = Catalog.load({"retired": {"deepseek-chat": {"replacement": "deepseek-v4-pro"}}})
    ask(shim.wrap(client_for(deepseek), catalog=catalog))
    assert deepseek.models == ["deepseek-v4-pro"]


# -- resolve_model ------------------------------------------------------------------------------------


def test_resolve_model(monkeypatch):
    today(monkeypatch, BEFORE_FAR)
    assert shim.resolve_model("deepseek-chat") == "deepseek-chat"
    assert shim.resolve_model("deepseek-v4-pro") == "deepseek-v4-pro"
    today(monkeypatch, AFTER)
    assert shim.resolve_model("deepseek-reasoner") == "deepseek-v4-flash"
    assert shim.resolve_model("deepseek-chat", strict=True) == "deepseek-chat"
    monkeypatch.setenv("DEEPSEEK_REASONER_MODEL", "deepseek-v4-pro")
    assert shim.resolve_model("deepseek-reasoner") == "deepseek-v4-pro"
    snapshot = {"retired": {"old-model": {"retired_at": "2026-01-01T00:00:00Z", "replacement": "new-model"}}}
    assert shim.resolve_model("old-model", catalog=snapshot) == "new-model"


def test_snapshot_round_trips_the_catalog():
    assert shim.model_table(shim.snapshot_of(every_provider_catalog())) == shim.model_table()


def test_the_shim_knows_every_providers_ids():
    """It resends only on a provider's own retired-model answer, so it knows them all, whatever a
    project's `providers` checks statically."""
    models = shim.model_table().models
    assert {m.provider for m in models.values()} == set(provider_names())
    assert models["claude-3-sonnet-20240229"].provider == "anthropic" and models["deepseek-chat"].provider == "deepseek"


# -- retry_transient ------------------------------------------------------------------------------------


def fast_retry(**options):
    options.setdefault("base_delay", 0.001)
    return shim.retry_transient(**options)


def test_retry_transient_retries_429_and_5xx_honouring_retry_after(deepseek):
    deepseek.script(rate_limited("0.2"), unavailable())
    client = client_for(deepseek)
    started = time.monotonic()
    reply = fast_retry(max_attempts=3)(ask)(client, "deepseek-v4-flash")
    assert time.monotonic() - started >= 0.2
    assert reply.choices[0].message.content == "Hello from the fake"
    assert len(deepseek.requests) == 3


@pytest.mark.parametrize(
    "headers, at_least",
    [
        ({"retry-after-ms": "150"}, 0.15),
        ({"Retry-After": "0.15"}, 0.15),
        ({"Retry-After": email.utils.formatdate(time.time() - 5, usegmt=True)}, 0.0),  # a date already past
    ],
)
def test_retry_transient_reads_every_retry_after_form(deepseek, headers, at_least):
    deepseek.script(Reply(429, error_body("slow down", "rate_limit_error"), headers))
    started = time.monotonic()
    fast_retry(max_attempts=2, base_delay=5)(ask)(client_for(deepseek), "deepseek-v4-flash")
    assert at_least <= time.monotonic() - started < 2  # the header, not the 5 s backoff, set the wait
    assert len(deepseek.requests) == 2


@pytest.mark.parametrize(
    "reply, error",
    [
        (Reply(400, error_body("bad", "invalid_request_error")), openai.BadRequestError),
        (unauthorized(), openai.AuthenticationError),
        (Reply(402, error_body("Insufficient Balance", "invalid_request_error")), openai.APIStatusError),
        (Reply(403, error_body("forbidden", "permission_error")), openai.PermissionDeniedError),
        (Reply(404, error_body("not found", "invalid_request_error")), openai.NotFoundError),
        (Reply(422, error_body("invalid", "invalid_request_error")), openai.UnprocessableEntityError),
    ],
)
def test_retry_transient_never_retries_permanent_errors(deepseek, reply, error):
    deepseek.script(reply)
    with pytest.raises(error):
        fast_retry(max_attempts=5)(ask)(client_for(deepseek), "deepseek-v4-flash")
    assert len(deepseek.requests) == 1


def test_retry_transient_never_retries_the_retired_model_400(deepseek):
    with pytest.raises(openai.BadRequestError):
        fast_retry(max_attempts=5)(ask)(client_for(deepseek), "deepseek-chat")
    assert deepseek.models == ["deepseek-chat"]


def test_retry_transient_gives_up_after_max_attempts(deepseek):
    deepseek.script(unavailable(), unavailable(), unavailable(), unavailable())
    with pytest.raises(openai.InternalServerError):
        fast_retry(max_attempts=3)(ask)(client_for(deepseek), "deepseek-v4-flash")
    assert len(deepseek.requests) == 3


def test_retry_transient_does_not_wait_out_a_long_retry_after(deepseek):
    deepseek.script(rate_limited("3600"))
    with pytest.raises(openai.RateLimitError):
        fast_retry(max_attempts=3, max_retry_after=60)(ask)(client_for(deepseek), "deepseek-v4-flash")
    assert len(deepseek.requests) == 1


def test_retry_transient_retries_connection_errors():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = OpenAI(base_url=f"http://127.0.0.1:{port}", api_key="test", max_retries=0, timeout=2)
    attempts = []

    @shim.retry_transient(max_attempts=3, base_delay=0.001)
    def call():
        attempts.append(1)
        return ask(client, "deepseek-v4-flash")

    with pytest.raises(openai.APIConnectionError):
        call()
    assert len(attempts) == 3


def test_retry_transient_async_and_bare_decorator(deepseek):
    deepseek.script(rate_limited("0"), Reply(503, error_body("busy", "server_error"), {"Retry-After": "0"}))
    client = async_client_for(deepseek)

    @shim.retry_transient  # bare: three attempts
    async def call():
        return await ask(client, "deepseek-v4-flash")

    async def scenario():
        try:
            return await call()
        finally:
            await client.close()

    reply = asyncio.run(scenario())
    assert reply.choices[0].message.content == "Hello from the fake"
    assert len(deepseek.requests) == 3


# -- vendoring ---------------------------------------------------------------------------------------------


def top_level_names(tree: ast.Module):
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name
        elif isinstance(node, ast.AnnAssign):
            yield node.target.id
        elif isinstance(node, ast.Assign):
            yield from (t.id for t in node.targets if isinstance(t, ast.Name))


def test_vendored_source_is_one_stdlib_only_file():
    source = shim.vendor_source()
    tree = ast.parse(source)
    imported = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported and not imported & {"codemod", "openai", "tomli", "libcst"}  # the -S run below proves the rest
    defined = list(top_level_names(tree))
    assert len(defined) == len(set(defined)), "deadline.py and shim.py define the same top-level name"
    assert "_CATALOG_SNAPSHOT: Optional[Dict[str, Any]] = {" in source
    assert "def vendor_source" not in source and "def reference_instant" in source


def run_isolated(script: str, *paths: str, env=None) -> subprocess.CompletedProcess:
    """Python with -I -S: no site-packages (so no editable codemod), only ``paths`` added."""
    prelude = f"import sys; sys.path[:0] = {list(paths)!r}\n"
    return subprocess.run(
        [sys.executable, "-I", "-S", "-c", prelude + script], capture_output=True, text=True, timeout=60, env=env
    )


def test_vendored_shim_works_without_codemod(deepseek, tmp_path):
    target = shim.write_vendored(tmp_path)
    assert target.name == "v4_migrate_shim.py"
    site_packages = sysconfig.get_paths()["purelib"]
    script = f"""
import importlib.util, json
import v4_migrate_shim as shim
from openai import OpenAI
client = shim.wrap(OpenAI(base_url={deepseek.base_url!r}, api_key="test", max_retries=0))
reply = client.chat.completions.create(model="deepseek-reasoner", messages=[{{"role": "user", "content": "hi"}}])
used_codemod = "codemod" in sys.modules
# site-packages holds a data-only `codemod/rules` folder of the editable install: no modules
print(json.dumps([reply.choices[0].message.content, used_codemod, importlib.util.find_spec("codemod.deadline")]))
"""
    result = run_isolated(script, str(tmp_path), site_packages, env={"V4_MIGRATE_TODAY": AFTER})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["Hello from the fake", False, None]
    assert [(r.model, r.thinking) for r in deepseek.requests] == [("deepseek-v4-flash", "enabled")]


def test_vendored_shim_imports_with_the_standard_library_alone(tmp_path):
    shim.write_vendored(tmp_path / "shim_copy.py")
    script = "import shim_copy; print(shim_copy.resolve_model('deepseek-chat'), shim_copy.resolve_model('deepseek-chat', strict=True))"
    result = run_isolated(script, str(tmp_path), env={"V4_MIGRATE_TODAY": AFTER})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["deepseek-v4-flash", "deepseek-chat"]


def test_vendor_command_writes_the_same_file(tmp_path):
    target = tmp_path / "vendored.py"
    result = subprocess.run(
        [sys.executable, "-m", "codemod.shim", "--vendor", str(target)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert target.read_text(encoding="utf-8") == shim.vendor_source()

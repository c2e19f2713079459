"""The runtime shim with every provider's "model retired" answer: the real openai and anthropic SDKs
against local fakes (tests/fake_providers.py) that answer a retired id as each API does."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import sysconfig
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, NamedTuple, Optional

import anthropic
import openai
import pytest
from anthropic import Anthropic, AsyncAnthropic
from openai import OpenAI

from codemod import shim
from codemod.catalog import default_catalog
from fake_deepseek import Reply
from fake_providers import NOT_NAMING_THE_MODEL, RETIRED_ANSWERS, FakeProvider

TODAY = "2026-12-01"
CHECKED = "2026-12-01"  # when the successors below were read from their sources
MESSAGES = [{"role": "user", "content": "hi"}]


def entry(retired_at: str, replacement: str, env_var: str, provider: str, thinking: Optional[str] = None) -> dict:
    return {"retired_at": retired_at, "replacement": replacement, "thinking": thinking, "env_var": env_var,
            "provider": provider, "fetched_at": CHECKED}


# The shim's behaviour is under test, not these facts (the shipped catalog holds those); still,
# each date and successor is the one its source gives.
CATALOG = {
    "retired": {
        # https://spybara.com/openai/api/history/docs/en/2026-04-22-0555..2026-04-23-0556/ (a copy of
        # OpenAI's deprecations page: shutdown 2026-10-23). The excerpt read ended before the
        # substitute; `gpt-4.1` is the one issue 16's brief names.
        "gpt-4-0613": entry("2026-10-23T00:00:00Z", "gpt-4.1", "OPENAI_MODEL", "openai"),
        # https://raw.githubusercontent.com/ottto-ai/ai-provider-watch/main/data/events/2026-06-15-anthropic-sonnet-4-opus-4-retirement.json
        # (Anthropic's release notes: retired 2026-06-15, upgrade to Sonnet 4.6, whose API id is
        # `claude-sonnet-4-6` in https://github.com/anmolm96/commit/pull/1)
        "claude-sonnet-4-20250514": entry("2026-06-15T00:00:00Z", "claude-sonnet-4-6", "ANTHROPIC_MODEL", "anthropic"),
        # https://ai.google.dev/gemini-api/docs/deprecations (shut down December 2, 2025; replacement gemini-3-pro-preview)
        "gemini-2.5-pro-preview-06-05": entry("2025-12-02T00:00:00Z", "gemini-3-pro-preview", "GEMINI_MODEL", "gemini"),
        # https://github.com/gsd-build/gsd-2/pull/4273, from https://console.groq.com/docs/deprecations
        # (end of life 2025-10-08; replacement llama-3.1-8b-instant)
        "gemma2-9b-it": entry("2025-10-08T00:00:00Z", "llama-3.1-8b-instant", "GROQ_MODEL", "groq"),
        # rules/catalog.toml
        "deepseek-chat": entry("2026-07-24T15:59:00Z", "deepseek-v4-flash", "DEEPSEEK_CHAT_MODEL", "deepseek", "disabled"),
    },
    "error_days": 30,
}


class Case(NamedTuple):
    answer: str  # a key of fake_providers.RETIRED_ANSWERS
    legacy: str
    successor: str
    sdk: str  # "openai" or "anthropic"
    base_path: str = ""
    day: str = TODAY


CASES = [
    Case("openai", "gpt-4-0613", "gpt-4.1", "openai", "/v1"),
    Case("anthropic", "claude-sonnet-4-20250514", "claude-sonnet-4-6", "anthropic"),
    Case("gemini", "gemini-2.5-pro-preview-06-05", "gemini-3-pro-preview", "openai", "/v1beta/openai"),
    Case("gemini-list", "gemini-2.5-pro-preview-06-05", "gemini-3-pro-preview", "openai", "/v1beta/openai"),
    Case("groq", "gemma2-9b-it", "llama-3.1-8b-instant", "openai", "/openai/v1"),
    Case("deepseek", "deepseek-chat", "deepseek-v4-flash", "openai", "", "2026-07-10"),  # before its cutoff
]
CASE_IDS = [case.answer for case in CASES]
API_ERRORS = (openai.APIStatusError, anthropic.APIStatusError)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("V4_MIGRATE_STRICT", "OPENAI_MODEL", "ANTHROPIC_MODEL", "GEMINI_MODEL", "GROQ_MODEL", "DEEPSEEK_CHAT_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("V4_MIGRATE_TODAY", TODAY)
    shim._logged_retired_ids.clear()


@pytest.fixture
def servers():
    """Starts ``FakeProvider(answer, retired_ids)`` servers on demand; stops them after the test."""
    started = []

    def start(answer: str, *retired_ids: str) -> FakeProvider:
        server = FakeProvider(answer, retired_ids).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def sdk_client(case: Case, server: FakeProvider, *, asynchronous: bool = False) -> Any:
    """The SDK's client with its default retries (2), so a retry of the error itself would show."""
    if case.sdk == "anthropic":
        return (AsyncAnthropic if asynchronous else Anthropic)(base_url=server.base_url, api_key="test")
    return (openai.AsyncOpenAI if asynchronous else OpenAI)(base_url=server.base_url + case.base_path, api_key="test")


def ask(case: Case, client: Any, model: str) -> Any:
    if case.sdk == "anthropic":
        return client.messages.create(model=model, max_tokens=64, messages=MESSAGES)
    return client.chat.completions.create(model=model, messages=MESSAGES)


def reply_text(reply: Any) -> str:
    return reply.content[-1].text if isinstance(reply, anthropic.types.Message) else reply.choices[0].message.content


def quietly(call, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the deadline warnings have tests of their own
        return call(*args)


def shim_logs(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "v4_migrate.shim"]


# -- exactly one resend, with the successor, for a catalog id ------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_retired_answer_gets_one_resend_with_the_successor(servers, monkeypatch, case):
    monkeypatch.setenv("V4_MIGRATE_TODAY", case.day)
    server = servers(case.answer, case.legacy)
    client = shim.wrap(sdk_client(case, server), catalog=CATALOG)
    reply = quietly(ask, case, client, case.legacy)
    assert reply_text(reply) == "Hello from the fake"
    assert server.models == [case.legacy, case.successor]
    assert [r.status for r in server.requests] == [RETIRED_ANSWERS[case.answer](case.legacy).status, 200]
    first, resent = (r.body for r in server.requests)
    if case.answer == "deepseek":  # the same model renamed: its thinking mode goes along
        assert resent == {**first, "model": case.successor, "thinking": {"type": "disabled"}}
    else:  # a different model: the request exactly as written, but for the id
        assert resent == {**first, "model": case.successor}


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_second_request_through_the_same_client_goes_straight_to_the_successor(servers, monkeypatch, case):
    monkeypatch.setenv("V4_MIGRATE_TODAY", case.day)
    server = servers(case.answer, case.legacy)
    client = shim.wrap(sdk_client(case, server), catalog=CATALOG)
    quietly(ask, case, client, case.legacy)
    reply = quietly(ask, case, client, case.legacy)
    assert reply_text(reply) == "Hello from the fake"
    assert server.models == [case.legacy, case.successor, case.successor]


def test_the_same_answer_for_another_client_costs_that_client_one_attempt(servers):
    case = CASES[0]
    server = servers(case.answer, case.legacy)
    for _ in range(2):
        quietly(ask, case, shim.wrap(sdk_client(case, server), catalog=CATALOG), case.legacy)
    assert server.models == [case.legacy, case.successor] * 2


# -- no resend -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_unknown_id_with_the_same_answer_is_never_resent(servers, case):
    typo = case.legacy + "x"  # answered exactly like the retired id, but not in the catalog
    server = servers(case.answer, typo)
    client = shim.wrap(sdk_client(case, server), catalog=CATALOG)
    expected = RETIRED_ANSWERS[case.answer](typo)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no warning: the shim knows nothing of this id
        with pytest.raises(API_ERRORS) as raised:
            ask(case, client, typo)
    assert raised.value.status_code == expected.status
    assert typo in json.dumps(raised.value.body)  # the API's own error reaches the caller
    assert server.models == [typo]


@pytest.mark.parametrize(
    "case, reply",
    [
        (CASES[0], NOT_NAMING_THE_MODEL["openai"]),
        (CASES[1], NOT_NAMING_THE_MODEL["anthropic"]),
        (CASES[2], NOT_NAMING_THE_MODEL["gemini"]),
        (CASES[0], RETIRED_ANSWERS["openai"]("gpt-4-0613-completions")),  # names a longer id
        (CASES[0], Reply(403, {"error": {"message": "Project `proj_x` does not have access to model `gpt-4-0613`",
                                         "type": "invalid_request_error", "code": "model_not_found"}})),  # access, not retirement
        (CASES[4], Reply(400, {"error": {"message": "`gemma2-9b-it` does not support tool use", "type": "invalid_request_error",
                                         "code": "tool_use_failed"}})),
    ],
    ids=["openai-no-id", "anthropic-no-id", "gemini-no-id", "longer-id", "openai-403", "groq-other-400"],
)
def test_error_not_naming_the_retired_model_is_never_resent(servers, case, reply):
    server = servers(case.answer)
    server.script(reply)
    client = shim.wrap(sdk_client(case, server), catalog=CATALOG)
    with pytest.raises(API_ERRORS) as raised:
        quietly(ask, case, client, case.legacy)
    assert raised.value.status_code == reply.status
    assert server.models == [case.legacy]


def test_strict_mode_never_resends(servers, monkeypatch):
    monkeypatch.setenv("V4_MIGRATE_STRICT", "1")
    case = CASES[1]
    server = servers(case.answer, case.legacy)
    with pytest.raises(anthropic.NotFoundError):
        quietly(ask, case, shim.wrap(sdk_client(case, server), catalog=CATALOG), case.legacy)
    assert server.models == [case.legacy]


# -- other providers: as written, warned, no proactive remap -----------------------------------------------


@pytest.mark.parametrize("case", [CASES[0], CASES[1], CASES[4]], ids=["openai", "anthropic", "groq"])
def test_past_its_cutoff_an_id_another_provider_still_serves_goes_out_as_written(servers, case):
    server = servers(case.answer)  # the API still serves the id: successors are different models
    with pytest.warns(FutureWarning) as caught:
        reply = ask(case, shim.wrap(sdk_client(case, server), catalog=CATALOG), case.legacy)
    assert reply_text(reply) == "Hello from the fake"
    assert server.models == [case.legacy]
    assert "thinking" not in server.requests[0].body
    message = str(caught[0].message)
    advice = f"`{case.successor}`, recommended when last checked ({CHECKED})"
    for part in (f"`{case.legacy}`", "retired 20", advice, "v4-migrate --fix"):
        assert part in message
    assert caught[0].filename == __file__  # points at the caller's line


def test_before_its_cutoff_the_warning_names_the_provider(servers, monkeypatch):
    monkeypatch.setenv("V4_MIGRATE_TODAY", "2026-09-01")  # 52 days before gpt-4-0613's shutdown
    case = CASES[0]
    server = servers(case.answer)
    with pytest.warns(DeprecationWarning, match=r"OpenAI model id `gpt-4-0613` retires 2026-10-23 00:00 UTC \(52 days left\)"):
        ask(case, shim.wrap(sdk_client(case, server), catalog=CATALOG), case.legacy)
    assert server.models == [case.legacy]
    assert shim.resolve_model(case.legacy, catalog=CATALOG) == case.legacy


def test_env_var_picks_the_resent_id_for_other_providers(servers, monkeypatch):
    monkeypatch.setenv("OPENAI_MODEL", "gpt-5.4")
    case = CASES[0]
    server = servers(case.answer, case.legacy)
    quietly(ask, case, shim.wrap(sdk_client(case, server), catalog=CATALOG), case.legacy)
    assert server.models == [case.legacy, "gpt-5.4"]  # still as written first: only the answer remaps


def test_resend_logs_once_per_id_with_when_the_successor_was_checked(servers, caplog):
    case = CASES[1]
    server = servers(case.answer, case.legacy)
    with caplog.at_level(logging.WARNING, logger="v4_migrate.shim"):
        for _ in range(2):  # two clients, two resends
            quietly(ask, case, shim.wrap(sdk_client(case, server), catalog=CATALOG), case.legacy)
    assert shim_logs(caplog) == [
        "The API rejected the model id `claude-sonnet-4-20250514` (HTTP 404) as retired; resending once with "
        f"`claude-sonnet-4-6`, recommended when last checked ({CHECKED}), and sending that from now on through this "
        "client. Run `v4-migrate --fix` to migrate the code."
    ]
    assert server.models == [case.legacy, case.successor] * 2


# -- the Anthropic SDK: async, streaming ---------------------------------------------------------------


def test_anthropic_stream_falls_back_on_entry(servers):
    case = CASES[1]
    server = servers(case.answer, case.legacy)
    client = shim.wrap(sdk_client(case, server), catalog=CATALOG)
    for _ in range(2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with client.messages.stream(model=case.legacy, max_tokens=64, messages=MESSAGES) as stream:
                text = "".join(stream.text_stream)
        assert text == "Hello from the fake"
    assert server.models == [case.legacy, case.successor, case.successor]
    assert all(r.body["stream"] is True for r in server.requests)


def test_anthropic_async_create_and_stream_fall_back(servers):
    case = CASES[1]
    server = servers(case.answer, case.legacy)

    async def scenario():
        async with shim.wrap(sdk_client(case, server, asynchronous=True), catalog=CATALOG) as client:
            reply = await client.messages.create(model=case.legacy, max_tokens=64, messages=MESSAGES)
            async with client.messages.stream(model=case.legacy, max_tokens=64, messages=MESSAGES) as stream:
                text = "".join([piece async for piece in stream.text_stream])
        return reply_text(reply), text

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert asyncio.run(scenario()) == ("Hello from the fake", "Hello from the fake")
    assert server.models == [case.legacy, case.successor, case.successor]


def test_async_anthropic_stream_resends_after_the_answer(servers):
    case = CASES[1]
    server = servers(case.answer, case.legacy)

    async def scenario():
        client = shim.wrap(sdk_client(case, server, asynchronous=True), catalog=CATALOG)
        try:
            async with client.messages.stream(model=case.legacy, max_tokens=64, messages=MESSAGES) as stream:
                return await stream.get_final_text()
        finally:
            await client.close()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert asyncio.run(scenario()) == "Hello from the fake"
    assert server.models == [case.legacy, case.successor]


def test_openai_streaming_response_falls_back_on_entry(servers):
    case = CASES[0]
    server = servers(case.answer, case.legacy)
    client = shim.wrap(sdk_client(case, server), catalog=CATALOG)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with client.chat.completions.with_streaming_response.create(model=case.legacy, messages=MESSAGES) as response:
            body = json.loads(response.read())
    assert body["choices"][0]["message"]["content"] == "Hello from the fake"
    assert server.models == [case.legacy, case.successor]


def test_anthropic_client_keeps_everything_else(servers):
    case = CASES[1]
    server = servers(case.answer, case.legacy)
    raw = sdk_client(case, server)
    client = shim.wrap(raw, catalog=CATALOG)
    assert client.api_key == "test" and client.__wrapped__ is raw
    response = quietly(lambda: client.messages.with_raw_response.create(model=case.legacy, max_tokens=64, messages=MESSAGES))
    assert response.http_response.status_code == 200
    quietly(ask, case, client.with_options(timeout=5), "claude-sonnet-4-6")  # a derived client is wrapped too
    assert server.models == [case.legacy, case.successor, case.successor]


# -- the data: catalog entries, snapshots, the vendored copy ---------------------------------------------


@dataclass(frozen=True)
class ProviderEntry:
    """A catalog entry as codemod.catalog.RetiredModel carries it once it knows providers."""

    id: str
    retired_at: datetime
    replacement: str
    thinking: Optional[str]
    env_var: str
    provider: str
    fetched_at: str


@dataclass(frozen=True)
class ProviderCatalog:
    retired: dict
    error_days: int = 30


def test_catalog_entries_carry_provider_and_fetched_at_through_a_snapshot():
    retired_at = datetime(2026, 10, 23, tzinfo=timezone.utc)
    model = ProviderEntry("gpt-4-0613", retired_at, "gpt-4.1", None, "OPENAI_MODEL", "openai", CHECKED)
    catalog = ProviderCatalog({model.id: model})
    snapshot = shim.snapshot_of(catalog)
    assert snapshot["retired"]["gpt-4-0613"]["provider"] == "openai"
    assert snapshot["retired"]["gpt-4-0613"]["fetched_at"] == CHECKED
    assert shim.model_table(snapshot) == shim.model_table(catalog)
    assert shim.model_table(catalog).models["gpt-4-0613"] == shim.LegacyModel(
        "gpt-4-0613", retired_at, "gpt-4.1", None, "OPENAI_MODEL", "openai", CHECKED
    )


def test_entries_without_a_provider_are_deepseek():
    assert {m.provider for m in shim.model_table(default_catalog()).models.values()} == {"deepseek"}
    old_snapshot = {"retired": {"deepseek-chat": {"retired_at": "2026-07-24T15:59:00Z", "replacement": "deepseek-v4-flash"}}}
    legacy = shim.model_table(old_snapshot).models["deepseek-chat"]
    assert (legacy.provider, legacy.fetched_at) == ("deepseek", None)


def test_vendored_shim_wraps_the_anthropic_sdk_without_codemod(servers, tmp_path):
    case = CASES[1]
    server = servers(case.answer, case.legacy)
    shim.write_vendored(tmp_path)
    script = f"""
import json, warnings
warnings.simplefilter("ignore")
import v4_migrate_shim as shim
from anthropic import Anthropic
client = shim.wrap(Anthropic(base_url={server.base_url!r}, api_key="test"), catalog={CATALOG!r})
reply = client.messages.create(model={case.legacy!r}, max_tokens=64, messages=[{{"role": "user", "content": "hi"}}])
print(json.dumps([reply.content[-1].text, "codemod" in sys.modules]))
"""
    prelude = f"import sys; sys.path[:0] = {[str(tmp_path), sysconfig.get_paths()['purelib']]!r}\n"
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", prelude + script], capture_output=True, text=True, timeout=60,
        env={"V4_MIGRATE_TODAY": TODAY},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["Hello from the fake", False]
    assert server.models == [case.legacy, case.successor]


def test_the_responses_api_gets_the_same_one_resend(servers, monkeypatch):
    """OpenAI's Responses API (`client.responses.create`) answers a retired id with the same 404."""
    case = CASES[0]
    server = servers(case.answer, case.legacy)
    client = shim.wrap(sdk_client(case, server), catalog=CATALOG)
    reply = quietly(lambda: client.responses.create(model=case.legacy, input="Say hello"))
    assert reply.output_text == "Hello from the fake"
    assert server.models == [case.legacy, case.successor]
    assert [r.path.rsplit("/", 1)[-1] for r in server.requests] == ["responses", "responses"]
    assert server.requests[1].body == {**server.requests[0].body, "model": case.successor}

"""The fake DeepSeek API itself (tests/fake_deepseek.py), driven by the real openai SDK."""

from __future__ import annotations

import json

import openai
import pytest
from openai import OpenAI

from fake_deepseek import Received

MESSAGES = [{"role": "user", "content": "What is the weather in Paris?"}]
DISABLED = {"thinking": {"type": "disabled"}}
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "The weather in a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                           "required": ["city"]},
        },
    }
]


def client_for(server, path: str = "") -> OpenAI:
    return OpenAI(base_url=server.base_url + path, api_key="sk-test", max_retries=0)


def test_thinking_is_on_by_default(deepseek):
    reply = client_for(deepseek).chat.completions.create(model="deepseek-v4-flash", messages=MESSAGES)
    message = reply.choices[0].message
    assert message.content == "Hello from the fake"
    assert message.reasoning_content == deepseek.reasoning_text  # an extra field the SDK keeps
    assert [(r.model, r.thinking, r.thinking_sent) for r in deepseek.requests] == [("deepseek-v4-flash", "enabled", None)]


def test_disabled_is_honoured(deepseek):
    reply = client_for(deepseek).chat.completions.create(model="deepseek-v4-flash", messages=MESSAGES, extra_body=DISABLED)
    assert reply.choices[0].message.content == "Hello from the fake"
    assert getattr(reply.choices[0].message, "reasoning_content", None) is None
    assert [(r.thinking, r.thinking_sent) for r in deepseek.requests] == [("disabled", "disabled")]


def test_enabled_sent_explicitly(deepseek):
    client_for(deepseek).chat.completions.create(model="deepseek-v4-pro", messages=MESSAGES,
                                                  extra_body={"thinking": {"type": "enabled"}})
    assert [(r.thinking, r.thinking_sent) for r in deepseek.requests] == [("enabled", "enabled")]


def test_an_unknown_thinking_type_is_rejected(deepseek):
    with pytest.raises(openai.BadRequestError, match="Invalid thinking"):
        client_for(deepseek).chat.completions.create(model="deepseek-v4-flash", messages=MESSAGES,
                                                      extra_body={"thinking": {"type": "off"}})


def test_streaming_in_thinking_mode_sends_reasoning_first(deepseek):
    stream = client_for(deepseek).chat.completions.create(model="deepseek-v4-flash", messages=MESSAGES, stream=True,
                                                           stream_options={"include_usage": True})
    chunks = list(stream)
    reasoning = "".join(getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in chunks if c.choices)
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert (reasoning, content) == (deepseek.reasoning_text, "Hello from the fake")
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage.total_tokens == 7


def _tool_loop(deepseek, *, keep_reasoning: bool, extra_body=None):
    client = client_for(deepseek)
    options = {"extra_body": extra_body} if extra_body else {}
    first = client.chat.completions.create(model="deepseek-v4-flash", messages=MESSAGES, tools=TOOLS, **options)
    assert first.choices[0].finish_reason == "tool_calls"
    message = first.choices[0].message
    call = message.tool_calls[0]
    assert call.function.name == "get_weather" and json.loads(call.function.arguments) == {"city": "x"}
    assistant = {"role": "assistant", "content": message.content,
                 "tool_calls": [{"id": call.id, "type": "function",
                                 "function": {"name": call.function.name, "arguments": call.function.arguments}}]}
    if keep_reasoning:
        assistant["reasoning_content"] = message.reasoning_content
    messages = MESSAGES + [assistant, {"role": "tool", "tool_call_id": call.id, "content": "sunny"}]
    return client.chat.completions.create(model="deepseek-v4-flash", messages=messages, tools=TOOLS, **options)


def test_tool_loop_without_reasoning_content_is_a_400_in_thinking_mode(deepseek):
    with pytest.raises(openai.BadRequestError) as caught:
        _tool_loop(deepseek, keep_reasoning=False)
    assert caught.value.status_code == 400
    assert caught.value.body["type"] == "invalid_request_error" and "reasoning_content" in caught.value.body["message"]


def test_tool_loop_with_reasoning_content_answers(deepseek):
    final = _tool_loop(deepseek, keep_reasoning=True)
    assert final.choices[0].finish_reason == "stop" and final.choices[0].message.content == "Hello from the fake"
    assert [r.thinking for r in deepseek.requests] == ["enabled", "enabled"]


def test_tool_loop_without_reasoning_content_is_fine_with_thinking_disabled(deepseek):
    final = _tool_loop(deepseek, keep_reasoning=False, extra_body=DISABLED)
    assert final.choices[0].message.content == "Hello from the fake"
    assert [r.thinking for r in deepseek.requests] == ["disabled", "disabled"]


def test_streamed_tool_call(deepseek):
    stream = client_for(deepseek).chat.completions.create(model="deepseek-v4-flash", messages=MESSAGES, tools=TOOLS,
                                                           stream=True, extra_body=DISABLED)
    chunks = list(stream)
    calls = [c.choices[0].delta.tool_calls for c in chunks if c.choices[0].delta.tool_calls]
    assert calls[0][0].function.name == "get_weather" and chunks[-1].choices[0].finish_reason == "tool_calls"


@pytest.mark.parametrize("model", ["deepseek-chat", "deepseek-reasoner"])
def test_a_retired_id_is_a_400(deepseek, model):
    with pytest.raises(openai.BadRequestError) as caught:
        client_for(deepseek).chat.completions.create(model=model, messages=MESSAGES)
    assert caught.value.status_code == 400
    assert caught.value.body["message"].endswith(f"but you passed {model}.")
    assert deepseek.requests[0].thinking is None  # a legacy id has no V4 mode


@pytest.mark.parametrize("prefix", ["", "/v1", "/beta"])
def test_routes_with_a_prefix(deepseek, prefix):
    client = client_for(deepseek, prefix)
    client.chat.completions.create(model="deepseek-v4-flash", messages=MESSAGES)
    client.completions.create(model="deepseek-v4-flash", prompt="def f(")
    assert [(r.path, r.route) for r in deepseek.requests] == [
        (prefix + "/chat/completions", "/chat/completions"),
        (prefix + "/completions", "/completions"),
    ]


def test_an_unknown_route_is_a_404(deepseek):
    with pytest.raises(openai.NotFoundError):
        client_for(deepseek, "/v2").chat.completions.create(model="deepseek-v4-flash", messages=MESSAGES)


def test_anthropic_messages(deepseek):
    import httpx

    url = deepseek.base_url + "/anthropic/v1/messages"
    base = {"model": "deepseek-v4-flash", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}
    default = httpx.post(url, json=base).json()
    disabled = httpx.post(url, json={**base, **DISABLED}).json()
    retired = httpx.post(url, json={**base, "model": "deepseek-chat"})
    assert [b["type"] for b in default["content"]] == ["thinking", "text"]
    assert disabled["content"] == [{"type": "text", "text": "Hello from the fake"}]
    assert retired.status_code == 400 and retired.json()["error"]["type"] == "invalid_request_error"
    assert [r.thinking for r in deepseek.requests] == ["enabled", "disabled", None]


def test_received_reads_the_body():
    assert Received("/chat/completions", {"model": "deepseek-v4-flash"}, {}).thinking == "enabled"
    assert Received("/chat/completions", {"model": "deepseek-v4-flash", **DISABLED}, {}).thinking == "disabled"
    assert Received("/chat/completions", {"model": "deepseek-chat"}, {}).thinking is None

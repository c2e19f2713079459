"""A local stand-in for the DeepSeek API, driven by the real SDKs in tests.

It behaves like the API after the 2026-07-24 cutoff, as described in the DeepSeek API docs
(guides/thinking_mode, and the Anthropic API page for ``/anthropic``):

- Routes: ``POST /chat/completions`` and ``POST /completions``, also under ``/v1`` or ``/beta``
  (``/v1/chat/completions``, ``/beta/completions``...), and ``POST /anthropic/v1/messages``
  (Anthropic Messages format). Anything else is a 404.
- A retired id (``deepseek-chat``, ``deepseek-reasoner``, ``deepseek-coder``; the set is
  ``retired_ids``, clear it to act as before the cutoff) gets the real HTTP 400 body.
- V4 ids think by default: the effective mode is ``enabled`` unless the body has
  ``"thinking": {"type": "disabled"}`` (OpenAI SDK: ``extra_body=``; Anthropic format: the
  top-level ``thinking`` parameter). A ``thinking`` that is not ``{"type": "enabled"|"disabled"}``
  is a 400. ``Received.thinking`` is the effective mode, ``Received.thinking_sent`` the type that
  was sent (None when absent). A legacy id fixed its own mode, so its ``thinking`` is None (served,
  with ``retired_ids`` cleared, ``deepseek-reasoner`` thinks and the others do not).
- In thinking mode a chat reply's message carries ``reasoning_content`` (stream: deltas with
  ``reasoning_content`` and ``content: null`` come first), an Anthropic reply a ``thinking`` block.
- Tools (chat only): when the request has ``tools`` (and ``tool_choice`` is not ``"none"``) and no
  ``role: tool`` message yet, the reply is one call of the first tool, its arguments the required
  properties of its schema filled with simple values, ``finish_reason: "tool_calls"``; once a tool
  result is present the reply is the final text.
- The tool-loop rule: in thinking mode every assistant message with ``tool_calls`` that is sent back
  must carry its ``reasoning_content``, or the API answers 400 ``invalid_request_error`` with the
  API's message, "The `reasoning_content` in the thinking mode must be passed back to the API."
- Streaming (chat and completions): SSE chunks ending in ``data: [DONE]``; the last chunk carries
  the ``finish_reason``; a usage chunk when ``stream_options.include_usage``. The Anthropic route
  does not stream here (400).

A reply body ``{"events": [(name, data), ...]}`` is sent as named SSE events (``event:`` lines,
the Anthropic streaming format; tests/fake_providers.py uses it).

``script()`` queues replies (429 with Retry-After, 503, 401, a gateway's 404...) that are served,
one per request, before the default behaviour. Every request is recorded in ``requests``, with the
status of its reply.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional

RETIRED_IDS = ("deepseek-chat", "deepseek-reasoner", "deepseek-coder")
ROUTES = ("/chat/completions", "/completions", "/anthropic/v1/messages")
PREFIXES = ("", "/v1", "/beta")  # only for the OpenAI-format routes


def retired_model_body(model: str) -> Dict[str, Any]:
    """The API's answer to a retired id, verbatim."""
    return {
        "error": {
            "message": f"The supported API model names are deepseek-v4-pro or deepseek-v4-flash, but you passed {model}.",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_request_error",
        }
    }


def gateway_not_found_body(model: str) -> Dict[str, Any]:
    """An OpenAI-style gateway's answer to a model it does not know."""
    return {
        "error": {
            "message": f"The model `{model}` does not exist or you do not have access to it.",
            "type": "invalid_request_error",
            "param": None,
            "code": "model_not_found",
        }
    }


def error_body(message: str, kind: str) -> Dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def anthropic_error_body(message: str, kind: str = "invalid_request_error") -> Dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


@dataclass
class Reply:
    """A scripted answer: status, JSON body and headers."""

    status: int
    body: Dict[str, Any] = field(default_factory=dict)
    headers: Dict[str, str] = field(default_factory=dict)


def rate_limited(retry_after: str = "0") -> Reply:
    return Reply(429, error_body("Rate limit reached", "rate_limit_error"), {"Retry-After": retry_after})


def unavailable() -> Reply:
    return Reply(503, error_body("Service temporarily unavailable", "server_error"))


def unauthorized() -> Reply:
    return Reply(401, error_body("Authentication Fails (no such user)", "authentication_error"))


def route_of(path: str) -> Optional[str]:
    """``/v1/chat/completions`` -> ``/chat/completions``; None for an unknown path."""
    for prefix in PREFIXES:
        for route in ROUTES[:2]:
            if path == prefix + route:
                return route
    return ROUTES[2] if path == ROUTES[2] else None


@dataclass
class Received:
    path: str
    body: Dict[str, Any]
    headers: Dict[str, str]
    status: Optional[int] = None  # of the reply, once chosen

    @property
    def route(self) -> Optional[str]:
        return route_of(self.path)

    @property
    def model(self) -> Optional[str]:
        return self.body.get("model")

    @property
    def thinking_sent(self) -> Optional[str]:
        """The ``type`` of the ``thinking`` sent (the raw value if it is not an object); None when absent."""
        sent = self.body.get("thinking")
        return sent.get("type") if isinstance(sent, dict) else sent

    @property
    def thinking(self) -> Optional[str]:
        """The effective mode of a V4 id: "disabled" only when sent so, else "enabled". None for a legacy id."""
        if self.model in RETIRED_IDS:
            return None
        return "disabled" if self.thinking_sent == "disabled" else "enabled"


class FakeDeepSeek:
    def __init__(self) -> None:
        self.requests: List[Received] = []
        self.retired_ids = set(RETIRED_IDS)
        self.reply_text = "Hello from the fake"
        self.reasoning_text = "The user greets me; I greet back."
        self._script: List[Reply] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), name="fake-deepseek", daemon=True)

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> "FakeDeepSeek":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- scripting and inspection ---------------------------------------------------------------

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    @property
    def models(self) -> List[Optional[str]]:
        return [r.model for r in self.requests]

    # -- serving --------------------------------------------------------------------------------

    def answer(self, path: str, body: Dict[str, Any], headers: Dict[str, str]) -> Reply:
        """Records the request and chooses its reply; a ``stream`` reply has body ``{"stream": [...]}``."""
        received = Received(path, body, headers)
        with self._lock:
            self.requests.append(received)
            scripted = self._script.pop(0) if self._script else None
        reply = scripted or self._default(received)
        received.status = reply.status
        return reply

    def _default(self, received: Received) -> Reply:
        path, body = received.path, received.body
        route, model = received.route, received.model
        if route is None:
            return Reply(404, error_body(f"no route {path}", "invalid_request_error"))
        anthropic = route == "/anthropic/v1/messages"
        fail = (lambda message: Reply(400, anthropic_error_body(message))) if anthropic else (
            lambda message: Reply(400, error_body(message, "invalid_request_error")))
        if model in self.retired_ids:
            return Reply(400, anthropic_error_body(retired_model_body(model)["error"]["message"]) if anthropic
                         else retired_model_body(model))
        if "thinking" in body and received.thinking_sent not in ("enabled", "disabled"):
            return fail(f"Invalid thinking: {body['thinking']!r}; expected {{'type': 'enabled' | 'disabled'}}")
        thinking = received.thinking == "enabled" or model == "deepseek-reasoner"  # a legacy id fixes its mode
        if anthropic:
            if body.get("stream"):
                return fail("the fake does not stream the Anthropic format")
            return Reply(200, self.message(model, thinking))
        if route == "/completions":
            thinking = False  # FIM / text completion has no thinking mode
        messages = body.get("messages") or []
        if thinking:
            for message in messages:
                if message.get("role") == "assistant" and message.get("tool_calls") and message.get("reasoning_content") is None:
                    return fail("The `reasoning_content` in the thinking mode must be passed back to the API.")
        call = None
        if body.get("tools") and body.get("tool_choice") != "none" and not any(m.get("role") == "tool" for m in messages):
            call = self.tool_call(body["tools"][0], len(self.requests))
        chat = route == "/chat/completions"
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return Reply(200, {"stream": self.chunks(model, chat, thinking, call, include_usage)})
        return Reply(200, self.completion(model, chat, thinking, call))

    def tool_call(self, tool: Dict[str, Any], number: int) -> Dict[str, Any]:
        function = tool.get("function") or {}
        arguments = _example(function.get("parameters") or {})
        return {"id": f"call_fake_{number}", "type": "function",
                "function": {"name": function.get("name"), "arguments": json.dumps(arguments)}}

    def completion(self, model: str, chat: bool, thinking: bool = False, call: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        if chat:
            message: Dict[str, Any] = {"role": "assistant", "content": "" if call else self.reply_text}
            if thinking:
                message["reasoning_content"] = self.reasoning_text
            if call:
                message["tool_calls"] = [call]
            choice = {"index": 0, "message": message, "finish_reason": "tool_calls" if call else "stop"}
        else:
            choice = {"index": 0, "text": self.reply_text, "finish_reason": "stop", "logprobs": None}
        return {
            "id": "cmpl-fake",
            "object": "chat.completion" if chat else "text_completion",
            "created": 1_785_000_000,
            "model": model,
            "choices": [choice],
            "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
        }

    def chunks(self, model: str, chat: bool, thinking: bool = False, call: Optional[Dict[str, Any]] = None,
               include_usage: bool = False) -> List[Dict[str, Any]]:
        def split(text: str) -> List[str]:
            words = text.split(" ")
            return [w if i == 0 else " " + w for i, w in enumerate(words)]

        if not chat:
            choices = [{"index": 0, "text": piece, "finish_reason": None, "logprobs": None} for piece in split(self.reply_text)]
        else:
            deltas: List[Dict[str, Any]] = []
            if thinking:
                deltas += [{"role": "assistant", "content": None, "reasoning_content": p} for p in split(self.reasoning_text)]
            if call:
                deltas.append({"role": "assistant", "content": None, "tool_calls": [{"index": 0, **call}]})
            else:
                deltas += [{"role": "assistant", "content": p} for p in split(self.reply_text)]
            choices = [{"index": 0, "delta": delta, "finish_reason": None} for delta in deltas]
        choices[-1]["finish_reason"] = "tool_calls" if call else "stop"
        kind = "chat.completion.chunk" if chat else "text_completion"
        chunks = [{"id": "cmpl-fake", "object": kind, "created": 1_785_000_000, "model": model, "choices": [c]} for c in choices]
        if include_usage:
            chunks.append({"id": "cmpl-fake", "object": kind, "created": 1_785_000_000, "model": model, "choices": [],
                           "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}})
        return chunks

    def message(self, model: str, thinking: bool) -> Dict[str, Any]:
        """An Anthropic Messages reply."""
        content = [{"type": "thinking", "thinking": self.reasoning_text, "signature": "fake"}] if thinking else []
        return {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content + [{"type": "text", "text": self.reply_text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 3, "output_tokens": 4},
        }


def _example(schema: Dict[str, Any]) -> Any:
    """A simple value valid against a plain JSON schema: the required properties of an object, filled."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        return {name: _example(properties.get(name) or {}) for name in schema.get("required") or []}
    return {"string": "x", "integer": 1, "number": 1, "boolean": True, "array": [], "null": None}.get(kind, {})


def _handler_for(fake: FakeDeepSeek) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - the http.server convention
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw or b"{}")
            path = self.path.split("?", 1)[0].rstrip("/")
            reply = fake.answer(path, body, {k.lower(): v for k, v in self.headers.items()})
            if "events" in reply.body:  # named SSE events, the Anthropic format: no [DONE]
                events = "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in reply.body["events"])
                self.send(reply.status, events.encode(), "text/event-stream", reply.headers)
            elif "stream" in reply.body:
                events = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in reply.body["stream"]) + "data: [DONE]\n\n"
                self.send(reply.status, events.encode(), "text/event-stream", reply.headers)
            else:
                self.send(reply.status, json.dumps(reply.body).encode(), "application/json", reply.headers)

        def send(self, status: int, payload: bytes, content_type: str, headers: Dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            return

    return Handler

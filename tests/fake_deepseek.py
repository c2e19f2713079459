"""A local stand-in for the DeepSeek API, driven by the real openai SDK in tests.

It answers ``POST /chat/completions`` and ``POST /completions`` like the API after the cutoff:
retired ids get the real HTTP 400 body, other ids a completion (SSE chunks ending in
``data: [DONE]`` when ``stream`` is true). ``script()`` queues replies (429 with Retry-After,
503, 401, a gateway's 404...) that are served, one per request, before the default behaviour.
Every request body is recorded in ``requests``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional

RETIRED_IDS = ("deepseek-chat", "deepseek-reasoner", "deepseek-coder")


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


@dataclass
class Received:
    path: str
    body: Dict[str, Any]
    headers: Dict[str, str]

    @property
    def model(self) -> Optional[str]:
        return self.body.get("model")

    @property
    def thinking(self) -> Optional[str]:
        return (self.body.get("thinking") or {}).get("type")


class FakeDeepSeek:
    def __init__(self) -> None:
        self.requests: List[Received] = []
        self.retired_ids = set(RETIRED_IDS)
        self.reply_text = "Hello from the fake"
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
        with self._lock:
            self.requests.append(Received(path, body, headers))
            if self._script:
                return self._script.pop(0)
        model = body.get("model")
        if path not in ("/chat/completions", "/completions"):
            return Reply(404, error_body(f"no route {path}", "invalid_request_error"))
        if model in self.retired_ids:
            return Reply(400, retired_model_body(model))
        chat = path == "/chat/completions"
        if body.get("stream"):
            return Reply(200, {"stream": self.chunks(model, chat)})
        return Reply(200, self.completion(model, chat))

    def completion(self, model: str, chat: bool) -> Dict[str, Any]:
        if chat:
            choice = {"index": 0, "message": {"role": "assistant", "content": self.reply_text}, "finish_reason": "stop"}
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

    def chunks(self, model: str, chat: bool) -> List[Dict[str, Any]]:
        words = self.reply_text.split(" ")
        pieces = [w if i == 0 else " " + w for i, w in enumerate(words)]
        chunks = []
        for piece in pieces:
            if chat:
                choice = {"index": 0, "delta": {"role": "assistant", "content": piece}, "finish_reason": None}
            else:
                choice = {"index": 0, "text": piece, "finish_reason": None, "logprobs": None}
            chunks.append(
                {
                    "id": "cmpl-fake",
                    "object": "chat.completion.chunk" if chat else "text_completion",
                    "created": 1_785_000_000,
                    "model": model,
                    "choices": [choice],
                }
            )
        return chunks


def _handler_for(fake: FakeDeepSeek) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - the http.server convention
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw or b"{}")
            path = self.path.split("?", 1)[0].rstrip("/")
            reply = fake.answer(path, body, {k.lower(): v for k, v in self.headers.items()})
            if "stream" in reply.body:
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

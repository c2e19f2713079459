"""Local stand-ins for other providers' APIs, each answering a retired model id with that API's own
error, for the runtime shim's tests (tests/test_shim_providers.py) with the real SDKs.

``FakeProvider(provider, retired_ids)`` is a ``FakeDeepSeek`` (same recording, ``script()`` and
reply builders) with other routes and other errors:

- Routes under any prefix, so each SDK's real base path works (``/v1`` for OpenAI and xAI,
  ``/v1beta/openai`` for Gemini's OpenAI-compatible endpoint, ``/openai/v1`` for Groq):
  ``.../chat/completions`` and ``.../completions`` (OpenAI format), ``.../v1/messages``
  (Anthropic Messages, streamed as named SSE events). Anything else is a 404.
- An id in ``retired_ids`` gets ``RETIRED_ANSWERS[provider]``; every other id succeeds.

The error bodies are the APIs' own, as users quoted them (the URL in each builder).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from fake_deepseek import FakeDeepSeek, Received, Reply, error_body, retired_model_body

CHAT = "chat"
COMPLETIONS = "completions"
MESSAGES = "messages"
RESPONSES = "responses"  # OpenAI's Responses API


def openai_model_not_found(model: str) -> Reply:
    # https://github.com/allenai/molmo/issues/30 (OpenAI, gpt-4-0613). xAI answers in the same
    # shape according to issue 16; xAI's own body was not found, only a proxy's:
    # https://github.com/chenyme/grok2api/issues/571
    return Reply(404, {"error": {"message": f"The model `{model}` does not exist or you do not have access to it.",
                                 "type": "invalid_request_error", "param": None, "code": "model_not_found"}})


def anthropic_not_found(model: str) -> Reply:
    # https://github.com/mattermost/mattermost-plugin-agents/issues/257
    return Reply(404, {"type": "error", "error": {"type": "not_found_error", "message": f"model: {model}"}})


def gemini_not_found_body(model: str) -> Dict[str, Any]:
    # https://github.com/wwardaww/gnome-gemini-ai/issues/21
    return {"error": {"code": 404, "status": "NOT_FOUND",
                      "message": f"models/{model} is not found for API version v1beta, or is not supported for "
                                 "generateContent. Call ListModels to see the list of available models and their "
                                 "supported methods."}}


def gemini_not_found(model: str) -> Reply:
    return Reply(404, gemini_not_found_body(model))


def gemini_not_found_in_a_list(model: str) -> Reply:
    # The same error wrapped in a one-item list: https://github.com/karthink/gptel/issues/667
    return Reply(404, [gemini_not_found_body(model)])  # type: ignore[arg-type]


def groq_decommissioned(model: str) -> Reply:
    # https://github.com/atiilla/sqlmap-ai/issues/3, https://github.com/RightNow-AI/openfang/issues/60
    return Reply(400, {"error": {"message": f"The model `{model}` has been decommissioned and is no longer supported. "
                                            "Please refer to https://console.groq.com/docs/deprecations for a "
                                            "recommendation on which model to use instead.",
                                 "type": "invalid_request_error", "param": "", "code": "model_decommissioned"}})


def deepseek_retired(model: str) -> Reply:
    return Reply(400, retired_model_body(model))  # see tests/fake_deepseek.py


RETIRED_ANSWERS: Dict[str, Callable[[str], Reply]] = {
    "openai": openai_model_not_found,
    "xai": openai_model_not_found,
    "anthropic": anthropic_not_found,
    "gemini": gemini_not_found,
    "gemini-list": gemini_not_found_in_a_list,
    "groq": groq_decommissioned,
    "deepseek": deepseek_retired,
}

# 404s in each shape that do not name the model in the request.
NOT_NAMING_THE_MODEL: Dict[str, Reply] = {
    "openai": Reply(404, {"error": {"message": "The model does not exist or you do not have access to it.",
                                    "type": "invalid_request_error", "param": None, "code": "model_not_found"}}),
    "anthropic": Reply(404, {"type": "error", "error": {"type": "not_found_error", "message": "Not found"}}),
    # https://github.com/su-kaka/gcli2api/issues/279
    "gemini": Reply(404, {"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}}),
}


def route_of(path: str) -> Optional[str]:
    if path.endswith("/chat/completions"):
        return CHAT
    if path.endswith("/completions"):
        return COMPLETIONS
    if path.endswith("/responses"):
        return RESPONSES
    return MESSAGES if path.endswith("/v1/messages") else None


class FakeProvider(FakeDeepSeek):
    def __init__(self, provider: str, retired_ids: Iterable[str] = ()) -> None:
        super().__init__()
        self.provider = provider
        self.retired_ids = set(retired_ids)

    def _default(self, received: Received) -> Reply:
        route, model = route_of(received.path), received.model
        if route is None:
            return Reply(404, error_body(f"no route {received.path}", "invalid_request_error"))
        if model in self.retired_ids:
            return RETIRED_ANSWERS[self.provider](model)
        streaming = bool(received.body.get("stream"))
        if route == MESSAGES:
            return Reply(200, {"events": self.message_events(model)} if streaming else self.message(model, False))
        if route == RESPONSES:
            return Reply(200, self.response(model))
        if streaming:
            return Reply(200, {"stream": self.chunks(model, route == CHAT)})
        return Reply(200, self.completion(model, route == CHAT))

    def response(self, model: str) -> Dict[str, Any]:
        """A Responses API answer: one assistant message holding the reply text."""
        text = {"type": "output_text", "text": self.reply_text, "annotations": []}
        message = {"type": "message", "id": "msg_fake", "status": "completed", "role": "assistant", "content": [text]}
        return {"id": "resp_fake", "object": "response", "created_at": 0, "status": "completed", "model": model,
                "output": [message], "parallel_tool_calls": True, "tool_choice": "auto", "tools": []}

    def message_events(self, model: str) -> List[Tuple[str, Dict[str, Any]]]:
        """An Anthropic Messages stream of the reply text, word by word."""
        start = {**self.message(model, False), "content": [], "stop_reason": None,
                 "usage": {"input_tokens": 3, "output_tokens": 0}}
        words = self.reply_text.split(" ")
        pieces = [w if i == 0 else " " + w for i, w in enumerate(words)]
        deltas = [("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}})
                  for p in pieces]
        return [
            ("message_start", {"type": "message_start", "message": start}),
            ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            *deltas,
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                               "usage": {"output_tokens": 4}}),
            ("message_stop", {"type": "message_stop"}),
        ]

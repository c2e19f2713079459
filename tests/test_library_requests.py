"""End to end, one library form at a time: a legacy file is fixed with the real CLI, then run against the fake API.

Each form is a small file written the way a user of that library would write it for ``deepseek-chat`` or
``deepseek-reasoner``, with the base URL read from the environment, making one request. The test commits it in
a temp git repository, runs ``python -m codemod --fix .`` there, and runs the file before the fix (on a copy)
and after it, each against its own FakeDeepSeek (tests/fake_deepseek.py). Before the fix the request must be
rejected (HTTP 400 for the retired id) and the file must fail; after it the file must exit 0, and every request
must carry a V4 id and keep the old id's thinking mode: ``deepseek-chat`` -> disabled, ``deepseek-reasoner`` ->
enabled (V4 models think by default, so a chat-origin form fails unless the fix sends the mode).

The forms run in a small thread pool (one program per thread at a time), all started with the module's
first test, so the file keeps two cores busy; each test waits for its own form and asserts on it. Each
program is a child of the tests' fork server, which imports each library once (tests/forked_python.py).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest

from fake_deepseek import FakeDeepSeek, Received
from forked_python import clean_env, run_python
from helpers import git, run_cli

V4_IDS = ("deepseek-v4-flash", "deepseek-v4-pro")
EXPECTED_MODE = {"deepseek-chat": "disabled", "deepseek-reasoner": "enabled"}
WORKERS = max(2, min(4, os.cpu_count() or 2))

BASE = 'os.environ.get("DEEPSEEK_BASE_URL", "https://api.deepseek.com")'
KEY = 'os.environ["DEEPSEEK_API_KEY"]'
HELLO = '[{"role": "user", "content": "Say hello"}]'


@dataclass
class Form:
    origin: str  # the legacy id the file was written for
    files: Dict[str, str]  # name -> text; "{MODEL}" is replaced by the origin id
    reply_text: Optional[str] = None  # what the fake answers, when the form needs a particular reply
    anthropic: bool = False  # the file talks to the fake's /anthropic route

    @property
    def imports(self) -> List[str]:
        """The modules the files import, by their full names."""
        text = "\n".join(self.files.values())
        return sorted(set(re.findall(r"^\s*(?:from|import) ([A-Za-z_][\w.]*)", text, re.M)) - {"os", "asyncio"})

    @property
    def needs(self) -> List[str]:
        """The packages the files import (the test extras install them)."""
        return sorted({module.split(".")[0] for module in self.imports})

    def render(self) -> Dict[str, str]:
        return {name: text.replace("{MODEL}", self.origin) for name, text in self.files.items()}


def py(text: str) -> Dict[str, str]:
    return {"main.py": text.replace("{BASE}", BASE).replace("{KEY}", KEY).replace("{HELLO}", HELLO)}


OPENAI_CLIENT = 'import os\nfrom openai import OpenAI\n\nclient = OpenAI(base_url={BASE}, api_key={KEY})\n'
AGNO_RUN = 'reply = agent.run("Say hello")\nassert reply.status.value == "COMPLETED", reply.content\nprint(reply.content)\n'

FORMS: Dict[str, Form] = {
    "openai create": Form("deepseek-chat", py(
        OPENAI_CLIENT
        + 'reply = client.chat.completions.create(model="{MODEL}", messages={HELLO})\n'
        'print(reply.choices[0].message.content)\n')),
    "openai async stream": Form("deepseek-chat", py(
        'import asyncio\nimport os\n\nfrom openai import AsyncOpenAI\n\n\n'
        'async def main():\n'
        '    client = AsyncOpenAI(base_url={BASE}, api_key={KEY})\n'
        '    stream = await client.chat.completions.create(model="{MODEL}", messages={HELLO}, stream=True)\n'
        '    async for chunk in stream:\n'
        '        if chunk.choices and chunk.choices[0].delta.content:\n'
        '            print(chunk.choices[0].delta.content, end="", flush=True)\n'
        '    print()\n\n\n'
        'asyncio.run(main())\n')),
    "openai async stream (reasoner)": Form("deepseek-reasoner", py(
        'import asyncio\nimport os\n\nfrom openai import AsyncOpenAI\n\n\n'
        'async def main():\n'
        '    client = AsyncOpenAI(base_url={BASE}, api_key={KEY})\n'
        '    stream = await client.chat.completions.create(model="{MODEL}", messages={HELLO}, stream=True)\n'
        '    async for chunk in stream:\n'
        '        delta = chunk.choices[0].delta if chunk.choices else None\n'
        '        if delta is not None and getattr(delta, "reasoning_content", None):\n'
        '            print("[thinking]", delta.reasoning_content)\n'
        '        elif delta is not None and delta.content:\n'
        '            print(delta.content, end="", flush=True)\n'
        '    print()\n\n\n'
        'asyncio.run(main())\n')),
    "openai with_raw_response": Form("deepseek-chat", py(
        OPENAI_CLIENT
        + 'raw = client.chat.completions.with_raw_response.create(model="{MODEL}", messages={HELLO})\n'
        'print(raw.headers.get("content-type"))\n'
        'print(raw.parse().choices[0].message.content)\n')),
    "openai parse": Form("deepseek-chat", py(
        OPENAI_CLIENT.replace("from openai import OpenAI\n", "from openai import OpenAI\nfrom pydantic import BaseModel\n")
        + '\n\nclass Greeting(BaseModel):\n    text: str\n\n\n'
        'completion = client.chat.completions.parse(model="{MODEL}", messages={HELLO}, response_format=Greeting)\n'
        'print(completion.choices[0].message.parsed.text)\n'),
        reply_text='{"text": "Hello from the fake"}'),
    "langchain ChatDeepSeek": Form("deepseek-chat", py(
        'import os\n\nfrom langchain_deepseek import ChatDeepSeek\n\n'
        'llm = ChatDeepSeek(model="{MODEL}", base_url={BASE}, api_key={KEY})\n'
        'print(llm.invoke("Say hello").content)\n')),
    "langchain ChatDeepSeek (reasoner)": Form("deepseek-reasoner", py(
        'import os\n\nfrom langchain_deepseek import ChatDeepSeek\n\n'
        'llm = ChatDeepSeek(model="{MODEL}", base_url={BASE}, api_key={KEY})\n'
        'print(llm.invoke("Say hello").content)\n')),
    "langchain ChatOpenAI": Form("deepseek-chat", py(
        'import os\n\nfrom langchain_openai import ChatOpenAI\n\n'
        'llm = ChatOpenAI(model="{MODEL}", base_url={BASE}, api_key={KEY})\n'
        'print(llm.invoke("Say hello").content)\n')),
    "langchain init_chat_model": Form("deepseek-chat", py(
        'import os\n\nfrom langchain.chat_models import init_chat_model\n\n'
        'llm = init_chat_model("deepseek:{MODEL}", base_url={BASE}, api_key={KEY})\n'
        'print(llm.invoke("Say hello").content)\n')),
    "litellm completion": Form("deepseek-chat", py(
        'import os\n\nimport litellm\n\n'
        'reply = litellm.completion(model="deepseek/{MODEL}", api_base={BASE}, api_key={KEY}, messages={HELLO})\n'
        'print(reply.choices[0].message.content)\n')),
    "litellm acompletion": Form("deepseek-chat", py(
        'import asyncio\nimport os\n\nimport litellm\n\n\n'
        'async def main():\n'
        '    reply = await litellm.acompletion(model="deepseek/{MODEL}", api_base={BASE}, api_key={KEY}, messages={HELLO})\n'
        '    print(reply.choices[0].message.content)\n\n\n'
        'asyncio.run(main())\n')),
    "litellm proxy config (Router)": Form("deepseek-chat", {
        "litellm_config.yaml": (
            "model_list:\n"
            "  - model_name: assistant\n"
            "    litellm_params:\n"
            "      model: deepseek/{MODEL}\n"
            "      api_key: os.environ/DEEPSEEK_API_KEY\n"
        ),
        "main.py": (
            'import os\n\nimport litellm\nimport yaml\n\n'
            'with open("litellm_config.yaml") as handle:\n'
            '    config = yaml.safe_load(handle)\n'
            'for entry in config["model_list"]:\n'
            '    entry["litellm_params"]["api_base"] = os.environ.get("DEEPSEEK_BASE_URL", "https://api.deepseek.com")\n'
            'router = litellm.Router(model_list=config["model_list"])\n'
            'reply = router.completion(model="assistant", messages=[{"role": "user", "content": "Say hello"}])\n'
            'print(reply.choices[0].message.content)\n'
        ),
    }),
    "pydantic-ai OpenAIChatModel + OpenAIProvider": Form("deepseek-chat", py(
        'import os\n\nfrom pydantic_ai import Agent\nfrom pydantic_ai.models.openai import OpenAIChatModel\n'
        'from pydantic_ai.providers.openai import OpenAIProvider\n\n'
        'model = OpenAIChatModel("{MODEL}", provider=OpenAIProvider(base_url={BASE}, api_key={KEY}))\n'
        'agent = Agent(model)\n'
        'print(agent.run_sync("Say hello").output)\n')),
    "pydantic-ai OpenAIChatModel + DeepSeekProvider": Form("deepseek-chat", py(
        'import os\n\nfrom openai import AsyncOpenAI\nfrom pydantic_ai import Agent\n'
        'from pydantic_ai.models.openai import OpenAIChatModel\nfrom pydantic_ai.providers.deepseek import DeepSeekProvider\n\n'
        'client = AsyncOpenAI(base_url={BASE}, api_key={KEY})\n'
        'model = OpenAIChatModel("{MODEL}", provider=DeepSeekProvider(openai_client=client))\n'
        'agent = Agent(model)\n'
        'print(agent.run_sync("Say hello").output)\n')),
    # agno's DeepSeek thinks for a V4 id unless told: the fix's extra_body wins over that default.
    # (An agent's run returns the API's error as its reply: the program checks its status.)
    "agno DeepSeek": Form("deepseek-chat", py(
        'import os\n\nfrom agno.agent import Agent\nfrom agno.models.deepseek import DeepSeek\n\n'
        'agent = Agent(model=DeepSeek(id="{MODEL}", base_url={BASE}, api_key={KEY}), telemetry=False)\n'
        + AGNO_RUN)),
    "agno DeepSeek (reasoner)": Form("deepseek-reasoner", py(
        'import os\n\nfrom agno.agent import Agent\nfrom agno.models.deepseek import DeepSeek\n\n'
        'model = DeepSeek(id="{MODEL}", base_url={BASE}, api_key={KEY})\n'
        'agent = Agent(model=model, telemetry=False)\n' + AGNO_RUN)),
    "agno OpenAILike": Form("deepseek-chat", py(
        'import os\n\nfrom agno.agent import Agent\nfrom agno.models.openai.like import OpenAILike\n\n'
        'model = OpenAILike(id="{MODEL}", base_url={BASE}, api_key={KEY})\n'
        'agent = Agent(model=model, telemetry=False)\n' + AGNO_RUN)),
    "requests.post json payload": Form("deepseek-chat", py(
        'import os\n\nimport requests\n\n'
        'BASE_URL = {BASE}\n'
        'payload = {"model": "{MODEL}", "messages": {HELLO}}\n'
        'headers = {"Authorization": f"Bearer {os.environ[\'DEEPSEEK_API_KEY\']}"}\n'
        'response = requests.post(f"{BASE_URL}/chat/completions", json=payload, headers=headers, timeout=30)\n'
        'response.raise_for_status()\n'
        'print(response.json()["choices"][0]["message"]["content"])\n')),
    "httpx.post": Form("deepseek-chat", py(
        'import os\n\nimport httpx\n\n'
        'response = httpx.post(\n'
        '    {BASE} + "/chat/completions",\n'
        '    json={"model": "{MODEL}", "messages": {HELLO}},\n'
        '    headers={"Authorization": "Bearer " + {KEY}},\n'
        '    timeout=30,\n'
        ')\n'
        'response.raise_for_status()\n'
        'print(response.json()["choices"][0]["message"]["content"])\n')),
    "anthropic messages.create": Form("deepseek-chat", py(
        'import os\n\nfrom anthropic import Anthropic\n\n'
        'client = Anthropic(base_url=os.environ.get("DEEPSEEK_ANTHROPIC_URL", "https://api.deepseek.com/anthropic"), api_key={KEY})\n'
        'message = client.messages.create(model="{MODEL}", max_tokens=256, messages={HELLO})\n'
        'print(message.content[-1].text)\n'), anthropic=True),
}


def tail(text: str, lines: int = 4) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def run_file(tree: Path, server: FakeDeepSeek, form: Form) -> subprocess.CompletedProcess:
    """``python main.py`` in ``tree``, its libraries imported once for all forms (tests/forked_python.py)."""
    env = clean_env()
    env.update(DEEPSEEK_BASE_URL=server.base_url, DEEPSEEK_API_KEY="sk-test", PYTHONDONTWRITEBYTECODE="1")
    if form.anthropic:
        env["DEEPSEEK_ANTHROPIC_URL"] = server.base_url + "/anthropic"
    return run_python(["main.py"], cwd=tree, env=env, timeout=60, preload=form.imports)


@dataclass
class Outcome:
    fixed: subprocess.CompletedProcess  # the CLI
    diff: str  # what --fix wrote
    before: subprocess.CompletedProcess  # the legacy file
    after: subprocess.CompletedProcess  # the fixed file
    old_requests: List[Received]  # what the legacy file sent
    new_requests: List[Received]  # what the fixed file sent


def run_form(name: str, root: Path) -> Outcome:
    """Writes the form's files, commits them, fixes them with the CLI, runs a legacy copy and the fixed file."""
    form = FORMS[name]
    tree, legacy = root / "app", root / "legacy"
    tree.mkdir()
    for file, text in form.render().items():
        (tree / file).write_text(text, encoding="utf-8")
    shutil.copytree(tree, legacy)
    git(tree, "init", "-q")
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", f"written for {form.origin}")
    fixed = run_cli(["--fix", "."], cwd=tree)
    diff = git(tree, "diff")
    runs = []
    for folder in (legacy, tree):
        server = FakeDeepSeek()
        if form.reply_text is not None:
            server.reply_text = form.reply_text
        server.start()
        try:
            runs.append((run_file(folder, server, form), list(server.requests)))
        finally:
            server.stop()
    (before, old_requests), (after, new_requests) = runs
    return Outcome(fixed, diff, before, after, old_requests, new_requests)


@pytest.fixture(scope="module")
def outcomes(request, tmp_path_factory) -> Iterator[Dict[str, "Future[Outcome]"]]:
    """Every selected form runs in a pool of WORKERS threads (each one subprocess at a time), started at once,
    so that the file keeps both cores busy; each test waits for its own form."""
    here = request.node.nodeid
    names = [item.callspec.params["name"] for item in request.session.items
             if item.nodeid.startswith(here + "::") and "name" in getattr(getattr(item, "callspec", None), "params", {})]
    pool = ThreadPoolExecutor(max_workers=WORKERS)
    futures = {name: pool.submit(run_form, name, tmp_path_factory.mktemp("form")) for name in dict.fromkeys(names)}
    yield futures
    for future in futures.values():
        future.cancel()
    pool.shutdown(wait=True)


@pytest.mark.parametrize("name", list(FORMS))
def test_fixed_library_request_keeps_the_thinking_mode(name, outcomes):
    form = FORMS[name]
    want = EXPECTED_MODE[form.origin]
    missing = [module for module in form.needs if importlib.util.find_spec(module) is None]
    assert not missing, f"the test extras install {missing}: pip install -e '.[test]'"
    outcome = outcomes[name].result(timeout=300)
    fixed, diff, before, after = outcome.fixed, outcome.diff, outcome.before, outcome.after
    assert fixed.returncode in (0, 1), fixed.stdout + fixed.stderr  # 2 = an error
    assert diff, f"--fix changed nothing:\n{fixed.stdout}"

    # Before the fix the retired id is rejected and the file fails: the test can fail.
    assert before.returncode != 0, f"the legacy file ran:\n{before.stdout}"
    assert outcome.old_requests, f"the legacy file sent no request:\n{tail(before.stderr)}"
    assert [(r.model, r.status) for r in outcome.old_requests] == [(form.origin, 400)] * len(outcome.old_requests)

    seen = [f"{r.path} model={r.model} status={r.status} thinking sent={r.thinking_sent!r} effective={r.thinking}"
            for r in outcome.new_requests]
    report = "\n".join(seen) + f"\n--- stderr:\n{tail(after.stderr)}\n--- the fix:\n{diff}"
    assert after.returncode == 0, f"the fixed file exited {after.returncode}:\n{report}"
    assert outcome.new_requests, f"the fixed file sent no request:\n{report}"
    for request in outcome.new_requests:
        assert request.model in V4_IDS and request.status == 200, report
        assert request.thinking == want, f"thinking {request.thinking}, want {want}:\n{report}"
    assert "Hello from the fake" in after.stdout, f"the reply was not printed:\n{after.stdout}\n{report}"

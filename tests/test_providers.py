"""Other providers' retirements (issue 16): rules/catalog/<provider>.toml, chosen with
``providers = [...]``. Every shipped entry is found where its provider's client sends it, with an
unsafe fix (a successor is a different model); look-alikes, prefixed and platform forms never are.

The tables run the real CLI once over a tree of one-request files, one file per case."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from codemod.catalog import PRIMARY_PROVIDER, Catalog, CatalogError, _provider_file, provider_names
from helpers import run_cli as cli

OTHER_PROVIDERS = [name for name in provider_names() if name != PRIMARY_PROVIDER]
TODAY = "2026-12-01"

# Where each provider's own SDK sends a model: the request a value is found in.
REQUESTS = {
    "openai": ("from openai import OpenAI\n\nclient = OpenAI()\n", "client.chat.completions.create(model={model}, messages=[])"),
    "anthropic": ("import anthropic\n\nclient = anthropic.Anthropic()\n",
                  "client.messages.create(model={model}, max_tokens=64, messages=[])"),
    "gemini": ("from google import genai\n\nclient = genai.Client()\n",
               "client.models.generate_content(model={model}, contents='hi')"),
}
LITELLM = ("import litellm\n\n", "litellm.completion(model={model}, messages=[])")

# Look-alikes written by hand: other models, other platforms' forms, gateways' slugs. An entry here
# that the catalog ships would be a contradiction, which test_baits_are_not_catalog_ids catches.
HANDWRITTEN_BAITS = {
    "openai": [
        "gpt-5.2", "gpt-5.4", "gpt-6-sol", "gpt-6.1-terra", "gpt-5.6-luna", "gpt-4o-mini-2024-07-18-ft",
        "ft:gpt-3.5-turbo-0125:acme::8x7bQ", "ft:gpt-4o-mini-2024-07-18:acme:support:9a8b7c",
        "azure/gpt-4", "azure/gpt-35-turbo", "azure_ai/gpt-4o", "openrouter/openai/gpt-4",
        "openrouter/openai/gpt-3.5-turbo", "openai/gpt-5.6-terra", "bedrock/openai.gpt-oss-120b-1:0",
        "gpt-oss-120b", "gpt-oss-20b", "text-embedding-3-small", "text-embedding-ada-002-v2",
        "whisper-1", "dall-e-3", "tts-1-hd", "gpt-image-1", "o1-pro-2025-03-19-custom", "gpt-4-vision",
        "GPT-4", "gpt4", "gpt-4o-mini-tts", "omni-moderation-latest", "chatgpt-4o-latest-2",
        "codex-mini-latest-x", "deepseek/gpt-4", "groq/gpt-4", "together_ai/gpt-4",
    ],
    "anthropic": [
        "claude-sonnet-4-6", "claude-opus-4-8", "claude-haiku-4-5-20251001", "claude-haiku-4-5",
        "claude-3-5-sonnet-latest", "claude-3-7-sonnet-latest", "claude-3-opus-latest", "claude-3-sonnet",
        "anthropic.claude-3-sonnet-20240229-v1:0", "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "us.anthropic.claude-3-7-sonnet-20250219-v1:0", "eu.anthropic.claude-3-haiku-20240307-v1:0",
        "claude-3-sonnet@20240229", "claude-3-5-sonnet-v2@20241022", "claude-3-haiku@20240307",
        "bedrock/anthropic.claude-3-sonnet-20240229-v1:0", "vertex_ai/claude-3-sonnet@20240229",
        "openrouter/anthropic/claude-3-sonnet", "openrouter/anthropic/claude-3.5-sonnet", "claude-2",
        "claude-instant", "claude-v2", "CLAUDE-2.1", "claude-2.1-100k", "claude-3-sonnet-20240229-custom",
        "my-claude-3-sonnet-20240229", "anthropic/claude-3-5-sonnet-latest", "claude-sonnet-4-0",
    ],
    "gemini": [
        "gemini-2.5-flash-lite", "gemini-3-pro", "gemini-2.5-flash-preview-tts", "gemini-3.1-pro",
        "gemini-flash-latest", "gemini-pro-latest", "gemini-embedding-001", "text-embedding-004-x",
        "publishers/google/models/gemini-1.5-pro", "publishers/google/models/gemini-2.0-flash-001",
        "projects/p/locations/us-central1/publishers/google/models/gemini-1.5-flash",
        "vertex_ai/gemini-1.5-pro", "vertex_ai/gemini-2.0-flash", "openrouter/google/gemini-pro-1.5",
        "openrouter/google/gemini-2.0-flash-001", "tunedModels/gemini-1.5-flash-tuned", "gemini-1.5-pro-custom",
        "gemma-3-27b-it", "gemma-2-9b-it", "Gemini-1.5-Pro", "gemini-15-pro", "learnlm-2.0-flash-experimental",
        "gemini/gemini-2.5-flash-lite", "google/gemini-1.5-pro", "ollama/gemini-1.5-pro", "my-gemini-1.5-pro",
    ],
}


def entries(provider: str) -> Dict[str, dict]:
    return _provider_file(provider)["retired"]


def generated_baits(provider: str) -> List[str]:
    """Each entry in other platforms' and gateways' forms, or with something glued to it."""
    baits: List[str] = []
    for model_id in entries(provider):
        baits += [f"{model_id}-custom", f"my-{model_id}", f"azure/{model_id}", f"openrouter/{model_id}", f"{model_id}:free",
                  f"{model_id}.gguf", f"ollama/{model_id}"]
        if provider == "anthropic":
            baits += [f"anthropic.{model_id}-v1:0", f"bedrock/anthropic.{model_id}-v1:0"]
        if provider == "gemini":
            baits += [f"publishers/google/models/{model_id}", f"vertex_ai/{model_id}"]
    return baits


def write_cases(root: Path, cases: List[Tuple[str, str, str]]) -> Dict[str, Tuple[str, str]]:
    """One file per (name, provider's request shape, model literal); the file -> its case."""
    root.mkdir(parents=True, exist_ok=True)
    files: Dict[str, Tuple[str, str]] = {}
    for index, (shape, model, provider) in enumerate(cases):
        head, call = REQUESTS[shape] if shape in REQUESTS else LITELLM
        name = f"case_{index:04d}.py"
        (root / name).write_text(head + "response = " + call.format(model=json.dumps(model)) + "\n")
        files[name] = (model, provider)
    return files


def findings_by_file(root: Path, providers: List[str]) -> Dict[str, List[dict]]:
    (root / "pyproject.toml").write_text("[tool.v4-migrate]\nproviders = " + json.dumps(providers) + "\n")
    proc = cli(["--format", "json", "--today", TODAY, "."], root)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    assert report["errors"] == [], report["errors"]
    found: Dict[str, List[dict]] = {}
    for finding in report["findings"]:
        found.setdefault(finding["path"], []).append(finding)
    return found


# -- the data -----------------------------------------------------------------------------------


def test_every_shipped_entry_says_where_and_when_it_was_read():
    for provider in provider_names():
        for model_id, entry in entries(provider).items():
            assert str(entry.get("source", "")).startswith("https://"), f"{provider}: {model_id} has no source URL"
            assert date.fromisoformat(str(entry["fetched_at"])), f"{provider}: {model_id} has no fetched_at"
            assert entry.get("replacement"), f"{provider}: {model_id} has no successor"


def test_each_provider_file_names_its_hosts_and_its_variable():
    for provider in OTHER_PROVIDERS:
        table = _provider_file(provider)["provider"]
        assert table["name"] == provider
        assert table["api_hosts"] and table["env_var"].endswith("_MODEL") and table["source"].startswith("https://")


def test_the_default_is_deepseek_alone_and_an_unknown_provider_is_an_error():
    assert {m.provider for m in Catalog.load().retired.values()} == {PRIMARY_PROVIDER}
    with pytest.raises(CatalogError, match="unknown provider 'openia'"):
        Catalog.load(providers=("deepseek", "openia"))


@pytest.mark.parametrize("provider", OTHER_PROVIDERS)
def test_a_successor_chain_ends_at_an_id_the_catalog_does_not_retire(provider):
    catalog = Catalog.load(providers=(provider,))
    for model in catalog.retired.values():
        assert model.replacement not in catalog.retired, f"{model.id} -> {model.replacement} is retired too"
        assert model.successor == entries(provider)[model.id]["replacement"]


# -- true positives: every entry, bare at its client and under each prefix --------------------------


@pytest.mark.parametrize("provider", OTHER_PROVIDERS)
def test_every_shipped_entry_is_found_with_an_unsafe_fix(provider, tmp_path):
    prefixes = _provider_file(provider)["provider"]["count_prefixes"]
    cases = []
    for model_id in entries(provider):
        cases.append((provider, model_id, provider))
        cases += [("litellm", prefix + model_id, provider) for prefix in prefixes]
    files = write_cases(tmp_path, cases)
    found = findings_by_file(tmp_path, [provider])
    for name, (model, _) in files.items():
        ds001 = [f for f in found.get(name, []) if f["rule"] == "DS001"]
        assert len(ds001) == 1, f"{model}: {found.get(name)}"
        assert ds001[0]["legacy"] == model and ds001[0]["fix"] == "unsafe", ds001[0]
        assert "recommended replacement when last checked" in ds001[0]["message"]
        assert [f["rule"] for f in found[name]] == ["DS001"], f"{model}: {found[name]}"


# -- baits: never a finding ---------------------------------------------------------------------


@pytest.mark.parametrize("provider", OTHER_PROVIDERS)
def test_baits_are_not_catalog_ids(provider):
    catalog = Catalog.load(providers=tuple(provider_names()))
    baits = HANDWRITTEN_BAITS[provider] + generated_baits(provider)
    assert len(set(HANDWRITTEN_BAITS[provider])) >= 25 and len(set(baits)) >= 40
    assert [b for b in baits if catalog.exact(b) is not None] == []


@pytest.mark.parametrize("provider", OTHER_PROVIDERS)
def test_look_alikes_and_other_platforms_forms_are_never_reported(provider, tmp_path):
    baits = sorted(set(HANDWRITTEN_BAITS[provider] + generated_baits(provider)))
    cases = [(shape, bait, provider) for bait in baits for shape in (provider, "litellm")]
    files = write_cases(tmp_path, cases)
    found = findings_by_file(tmp_path, list(provider_names()))
    assert {files[name][0]: f for name, f in found.items() if name in files} == {}


# -- the config ---------------------------------------------------------------------------------


def test_an_unknown_provider_in_the_config_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.v4-migrate]\nproviders = ["deepseek", "openia"]\n')
    (tmp_path / "app.py").write_text('MODEL = "deepseek-chat"\n')
    proc = cli(["--today", TODAY, "."], tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "providers" in proc.stderr and "must be one of" in proc.stderr and "openia" not in proc.stdout
    assert "Traceback" not in proc.stderr


def test_without_the_provider_in_the_config_its_ids_are_not_reported(tmp_path):
    provider = OTHER_PROVIDERS[0]
    model_id = next(iter(entries(provider)))
    files = write_cases(tmp_path, [(provider, model_id, provider)])
    found = findings_by_file(tmp_path, ["deepseek"])
    assert [f for name in files for f in found.get(name, [])] == []


def test_deepseek_chat_can_target_deepseek_flash(tmp_path):
    """deepseek-flash (V4.1) is canonical since 2026-09-10: a project may make it the target."""
    (tmp_path / "pyproject.toml").write_text('[tool.v4-migrate.retired.deepseek-chat]\nreplacement = "deepseek-flash"\n'
                                             'retired_at = "2026-07-24T15:59:00Z"\n')
    (tmp_path / "app.py").write_text('from openai import OpenAI\n\nclient = OpenAI(base_url="https://api.deepseek.com")\n'
                                     'client.chat.completions.create(model="deepseek-chat", messages=[])\n')
    proc = cli(["--fix", "--today", TODAY, "."], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    fixed = (tmp_path / "app.py").read_text()
    assert '"deepseek-flash"' in fixed and '"thinking": {"type": "disabled"}' in fixed, fixed


# -- catalog check ------------------------------------------------------------------------------


def catalog_check(tmp_path: Path, listed, provider: str) -> subprocess.CompletedProcess:
    path = tmp_path / "models.json"
    path.write_text(json.dumps(listed) if not isinstance(listed, str) else listed)
    return cli(["catalog", "check", str(path), "--provider", provider], tmp_path)


@pytest.mark.parametrize("provider", OTHER_PROVIDERS)
def test_catalog_check_agrees_with_a_list_of_the_same_dates(provider, tmp_path):
    catalog = Catalog.load(providers=(provider,))
    listed = {"object": "list", "data": [{"id": m.id, "object": "model", "shutdown_date": f"{m.retired_at:%Y-%m-%d}"}
                                         for m in catalog.retired.values()]}
    proc = catalog_check(tmp_path, listed, provider)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == f"rules/catalog/{provider}.toml agrees with {tmp_path / 'models.json'}"


def test_catalog_check_prints_moved_dates_new_retirements_and_missing_ids(tmp_path):
    provider = OTHER_PROVIDERS[0]
    catalog = Catalog.load(providers=(provider,))
    first, second, *rest = sorted(catalog.retired.values(), key=lambda m: m.id)
    listed = [{"id": first.id, "shutdown_date": "2031-01-02"},  # moved
              {"id": second.id},  # no date any more
              {"id": "brand-new-model-0101", "shutdown_date": 1924992000}]  # 2031-01-01, a Unix time
    listed += [{"id": m.id, "shutdown_date": f"{m.retired_at:%Y-%m-%d}"} for m in rest[1:]]  # rest[0] absent
    proc = catalog_check(tmp_path, listed, provider)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert f"changed: {first.id} shuts down on 2031-01-02 in the list, on {first.retired_at:%Y-%m-%d} in the catalog (catalog checked {first.fetched_at})" in lines
    assert any(line.startswith(f"no date: {second.id} is listed without a shutdown date") for line in lines)
    assert any(line.startswith(f"absent: {rest[0].id} is not in the list") for line in lines)
    assert "new: brand-new-model-0101 shuts down on 2031-01-01 (not in the catalog)" in lines
    assert lines[-1] == f"4 change(s) against rules/catalog/{provider}.toml"


@pytest.mark.parametrize("content, message", [
    ("{not json", "not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    ('{"data": {"id": "x"}}', 'expected a list of models, or an object whose "data" is one'),
    ('[{"name": "x"}]', 'entry 0 has no string "id"'),
    ('[{"id": "x", "shutdown_date": "soon"}]', "entry 0 (x): shutdown_date is not a date"),
])
def test_catalog_check_of_a_bad_file_is_one_line_and_exit_2(tmp_path, content, message):
    proc = catalog_check(tmp_path, content, OTHER_PROVIDERS[0])
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == f"v4-migrate catalog: error: {tmp_path / 'models.json'}: {message}"


def test_a_project_chooses_the_variable_a_providers_ids_read(tmp_path):
    provider = OTHER_PROVIDERS[0]
    model_id = next(iter(entries(provider)))
    files = write_cases(tmp_path, [(provider, model_id, provider)])
    (tmp_path / "pyproject.toml").write_text(f'[tool.v4-migrate]\nproviders = ["{provider}"]\nenv-vars = {{ {provider} = "LLM_MODEL" }}\n')
    proc = cli(["--fix", "--unsafe-fixes", "--today", TODAY, "."], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    fixed = (tmp_path / next(iter(files))).read_text()
    model = Catalog.load(providers=(provider,)).retired[model_id]
    assert f'os.environ.get("LLM_MODEL", "{model.replacement}")' in fixed, fixed


@pytest.mark.parametrize("provider", OTHER_PROVIDERS)
def test_ids_in_logic_are_for_review_never_fixed(provider, tmp_path):
    """`if "o3-mini" in name:` or a capability table: the id is compared or looked up, not sent."""
    model_id = next(iter(entries(provider)))
    (tmp_path / "pyproject.toml").write_text(f'[tool.v4-migrate]\nproviders = ["{provider}"]\n')
    (tmp_path / "logic.py").write_text(f'def limits(name):\n    if "{model_id}" in name:\n        return 1\n'
                                       f'    return CONTEXT[name]\n\n\nCONTEXT = {{"{model_id}": 8192}}\n')
    found = findings_by_file(tmp_path, [provider])["logic.py"]
    assert [(f["rule"], f["fix"]) for f in found] == [("DS002", None), ("DS002", None)], found


# -- DeepSeek's own chain: deepseek-v4-flash is an alias of deepseek-flash (DS008, opt-in) -----------


def run_cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return cli(["--today", TODAY, *args], root)


def test_the_alias_is_reported_only_when_ds008_is_selected(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "app.py").write_text('client.chat.completions.create(model="deepseek-v4-flash", messages=[])\n')
    quiet = run_cli(tmp_path, "--format", "json", ".")
    assert quiet.returncode == 0 and json.loads(quiet.stdout)["findings"] == []
    loud = run_cli(tmp_path, "--format", "json", "--extend-select", "DS008", ".")
    (finding,) = json.loads(loud.stdout)["findings"]
    assert (finding["rule"], finding["severity"], finding["fix"]) == ("DS008", "info", "unsafe")
    assert finding["message"].startswith("`deepseek-v4-flash` is an alias of `deepseek-flash` since 2026-09-10")


def test_a_fix_with_ds008_rewrites_aliases_and_leaves_its_own_rewrites(tmp_path):
    (tmp_path / "app.py").write_text('from openai import OpenAI\n\nclient = OpenAI(base_url="https://api.deepseek.com")\n'
                                     'a = client.chat.completions.create(model="deepseek-chat", messages=[])\n'
                                     'b = client.chat.completions.create(model="deepseek-v4-flash", messages=[])\n')
    done = run_cli(tmp_path, "--fix", "--unsafe-fixes", "--extend-select", "DS008", ".")
    assert done.returncode == 0 and "second pass" not in done.stdout + done.stderr, done.stdout + done.stderr
    fixed = (tmp_path / "app.py").read_text()
    assert 'model=os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")' in fixed
    assert 'model="deepseek-flash"' in fixed and '"deepseek-v4-flash", messages' not in fixed, fixed


def test_javascript_keys_an_id_by_the_host_its_client_talks_to(tmp_path):
    provider = "openai"
    model_id = next(m for m in entries(provider) if m.startswith("gpt-4"))
    (tmp_path / "app.mjs").write_text(
        'import OpenAI from "openai";\nimport { generateText } from "ai";\n'
        'const own = new OpenAI({ baseURL: "https://api.openai.com/v1" });\n'
        f'await own.chat.completions.create({{ model: "{model_id}", messages: [] }});\n'
        'const other = new OpenAI({ baseURL: "https://api.deepseek.com" });\n'
        f'await other.chat.completions.create({{ model: "{model_id}", messages: [] }});\n'
        f'await generateText({{ model: "openai/{model_id}", prompt: "hi" }});\n')  # the AI Gateway's slug
    found = findings_by_file(tmp_path, [provider])["app.mjs"]
    assert [(f["line"], f["rule"], f["fix"]) for f in found] == [(4, "DS001", "unsafe")], found


def test_in_a_test_another_providers_id_is_reported_and_never_fixed(tmp_path):
    """A test checks what the code does, and the code's registries of model names (DS002) are not
    rewritten for other providers: rewriting an expectation alone would break the test."""
    provider = OTHER_PROVIDERS[0]
    model_id = next(iter(entries(provider)))
    (tmp_path / "pyproject.toml").write_text(f'[tool.v4-migrate]\nproviders = ["{provider}"]\n')
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_save.py").write_text(f'def test_save():\n    assert save(["-m", "x"]) == {{"model": "{model_id}"}}\n'
                                                    f'\n\nRESPONSE = {{"model": "{model_id}", "choices": []}}\n')
    found = findings_by_file(tmp_path, [provider])["tests/test_save.py"]
    assert found and all(f["fix"] is None for f in found), found
    done = run_cli(tmp_path, "--fix", "--unsafe-fixes", ".")
    assert done.returncode == 1 and model_id in (tmp_path / "tests" / "test_save.py").read_text()

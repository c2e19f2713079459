"""Deterministic synthetic monorepos for benchmarks/run.py (standard library only).

``generate_tree`` writes a monorepo of N files (about 75% Python, plus YAML, ``.env`` and
Markdown) from a seeded RNG and commits it to git; 0.5% of the files (or another share, for the
density runs: 5%, 20%) hold retired ids in value positions, comparisons, comments, YAML model keys
and .env values, and another 0.5% mention DeepSeek without a retired id (decoys that pass the
byte prefilter). ``generate_fix_tree`` writes a candidate-heavy tree: every Python file has
retired ids in value positions. ``generate_big_modules`` writes one large Python module twice:
its ids at top level, and the same text inside one class body.

Each tree has a manifest (``manifest.json`` beside it) with what was planted, so the runner can
check that every tool found what it should.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List, Optional, Tuple

GENERATOR_VERSION = 4

# Built from parts so this file is not itself a hit for the tools being measured.
CHAT, REASONER, CODER = ("deepseek-" + s for s in ("chat", "reasoner", "coder"))
LEGACY = (CHAT, REASONER, CODER)

SHARES = (("py", 0.65), ("ts", 0.06), ("js", 0.04), ("yaml", 0.10), ("md", 0.12), ("env", 0.03))
PLANTED_SHARE = 0.005
DECOY_SHARE = 0.005
FILES_PER_DIR = 20

WORDS = (
    "account", "batch", "cache", "client", "config", "context", "data", "event", "feature", "handler",
    "index", "job", "ledger", "metric", "node", "order", "payload", "queue", "record", "request",
    "result", "schema", "session", "shard", "signal", "store", "stream", "task", "tenant", "token",
    "user", "value", "vector", "window", "worker", "report", "invoice", "profile", "route", "limit",
)
MODULES = ("os", "re", "json", "time", "logging", "typing", "dataclasses", "functools", "itertools", "pathlib", "collections")


def _name(rng: random.Random, parts: int = 2) -> str:
    return "_".join(rng.choice(WORDS) for _ in range(parts))


def _class_name(rng: random.Random) -> str:
    return "".join(rng.choice(WORDS).capitalize() for _ in range(2))


# -- Python ---------------------------------------------------------------------------------------


def _py_function(rng: random.Random, indent: str = "") -> List[str]:
    name = _name(rng)
    args = [_name(rng, 1) + str(i) for i in range(rng.randint(0, 4))]
    body = indent + "    "
    lines = [f"{indent}def {name}({', '.join(args)}):", f'{body}"""{rng.choice(WORDS).capitalize()} the {rng.choice(WORDS)} of a {rng.choice(WORDS)}."""']
    for _ in range(rng.randint(2, 9)):
        kind = rng.randrange(7)
        var = _name(rng, 1)
        if kind == 0:
            lines.append(f"{body}{var} = {{'{rng.choice(WORDS)}': {rng.randint(0, 999)}, '{rng.choice(WORDS)}': \"{rng.choice(WORDS)}\"}}")
        elif kind == 1:
            lines.append(f"{body}for {var} in range({rng.randint(1, 50)}):")
            lines.append(f"{body}    total = {var} * {rng.randint(2, 9)} + len(str({var}))")
        elif kind == 2:
            lines.append(f"{body}if {var}_ok := {rng.choice(['True', 'False', 'None'])}:")
            lines.append(f"{body}    logging.getLogger(__name__).info(\"{rng.choice(WORDS)} %s\", {var}_ok)")
        elif kind == 3:
            lines.append(f"{body}{var} = [x * {rng.randint(1, 9)} for x in range({rng.randint(1, 20)}) if x % 2]")
        elif kind == 4:
            lines.append(f"{body}{var} = f\"{{{rng.choice(args) if args else rng.randint(0, 9)}}}-{rng.choice(WORDS)}\"")
        elif kind == 5:
            lines.append(f"{body}try:")
            lines.append(f"{body}    {var} = json.loads('{{\"{rng.choice(WORDS)}\": {rng.randint(0, 99)}}}')")
            lines.append(f"{body}except ValueError as exc:  # {rng.choice(WORDS)} is optional")
            lines.append(f"{body}    raise RuntimeError(\"bad {rng.choice(WORDS)}\") from exc")
        else:
            lines.append(f"{body}{var} = ({rng.randint(0, 99)}, {rng.random():.3f}, '{rng.choice(WORDS)}', None)")
    lines.append(f"{body}return {rng.choice(args) if args else 'None'}")
    return lines


def _py_class(rng: random.Random) -> List[str]:
    lines = [f"class {_class_name(rng)}:", f'    """A {rng.choice(WORDS)} {rng.choice(WORDS)}."""', ""]
    lines.append(f"    {rng.choice(WORDS)}_limit: int = {rng.randint(1, 100)}")
    for _ in range(rng.randint(1, 3)):
        lines.append("")
        fn = _py_function(rng, "    ")
        fn[0] = fn[0].replace("(", "(self, ", 1).replace("(self, )", "(self)")
        lines += fn
    return lines


def python_module(rng: random.Random, target_bytes: int) -> List[str]:
    lines = [f'"""{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} utilities for the {rng.choice(WORDS)} service."""', ""]
    lines += [f"import {m}" for m in sorted(set(rng.sample(MODULES, rng.randint(2, 5)) + ["json", "logging"]))]
    lines += ["", f"{_name(rng).upper()} = {rng.randint(1, 1000)}", ""]
    size = sum(len(line) + 1 for line in lines)
    while size < target_bytes:
        block = _py_class(rng) if rng.random() < 0.3 else _py_function(rng)
        lines += ["", ""] + block
        size += sum(len(line) + 1 for line in block) + 2
    return lines


# Planted Python snippets: (top-level lines, retired-id string literals, kind).
def _planted_python(rng: random.Random) -> Tuple[List[str], int, str]:
    legacy = rng.choice(LEGACY)
    kind = rng.choice(("assign", "kwarg", "compare", "comment", "dict", "getenv"))
    if kind == "assign":
        return [f'DEFAULT_MODEL = "{legacy}"'], 1, kind
    if kind == "kwarg":
        return [
            "def ask(client, messages):",
            f'    return client.chat.completions.create(model="{legacy}", messages=messages)',
        ], 1, kind
    if kind == "compare":
        return ["def is_legacy(model):", f'    return model == "{legacy}"'], 1, kind
    if kind == "comment":
        return [f"# TODO: the service still talks to {legacy}; migrate before the cutoff"], 0, kind
    if kind == "dict":
        return [f'LLM_SETTINGS = {{"model": "{legacy}", "temperature": 0.2}}'], 1, kind
    return [f'MODEL_NAME = os.getenv("LLM_MODEL", "{legacy}")'], 1, kind


DECOY_PYTHON = (
    '# Docs: https://api-docs.deepseek.com/quick_start/pricing',
    'CURRENT_MODEL = "deepseek-v4-flash"',
    'SUPPORTED = ("deepseek-v4-flash", "deepseek-v4-pro")',
)


def python_file(rng: random.Random, planted: bool, decoy: bool) -> Tuple[str, Dict[str, int]]:
    lines = python_module(rng, rng.randint(1200, 7000))
    info: Dict[str, int] = {}
    if planted:
        insert_at = lines.index("") + 1  # after the docstring
        snippets = [_planted_python(rng) for _ in range(rng.randint(1, 3))]
        block: List[str] = []
        for snippet, literals, kind in snippets:
            block += snippet + [""]
            info["literals"] = info.get("literals", 0) + literals
            info[kind] = info.get(kind, 0) + 1
        if not any(l.startswith("import os") for l in lines):
            block = ["import os", ""] + block
        lines[insert_at:insert_at] = block
    elif decoy:
        lines.insert(lines.index("") + 1, rng.choice(DECOY_PYTHON))
    return "\n".join(lines) + "\n", info


# -- JavaScript / TypeScript ---------------------------------------------------------------------


def _js_function(rng: random.Random, typed: bool) -> List[str]:
    name = rng.choice(WORDS) + rng.choice(WORDS).capitalize()
    arg = rng.choice(WORDS)
    annotation = ": Record<string, unknown>" if typed else ""
    lines = [f"export function {name}({arg}{annotation}) {{", f"  const out = {{ ...{arg} }};"]
    for _ in range(rng.randint(2, 10)):
        key, other = rng.choice(WORDS), rng.choice(WORDS)
        lines.append(rng.choice((
            f'  out["{key}"] = String({arg}["{other}"] ?? "{rng.choice(WORDS)}-{rng.randint(0, 99)}");',
            f"  if ({arg}.{key} > {rng.randint(1, 99)}) {{ out.{other} = {arg}.{key} * 2; }}",
            f"  // {rng.choice(WORDS)} the {rng.choice(WORDS)} before the {rng.choice(WORDS)}",
        )))
    return lines + ["  return out;", "}"]


def js_module(rng: random.Random, target_bytes: int, typed: bool) -> List[str]:
    lines = [f'import {{ {rng.choice(WORDS)}Client }} from "../lib/{rng.choice(WORDS)}";', ""]
    size = sum(len(line) + 1 for line in lines)
    while size < target_bytes:
        block = _js_function(rng, typed)
        lines += [""] + block
        size += sum(len(line) + 1 for line in block) + 1
    return lines


def _planted_js(rng: random.Random) -> Tuple[List[str], str]:
    legacy = rng.choice(LEGACY)
    kind = rng.choice(("js_call", "js_const", "js_ai_sdk", "js_compare"))
    if kind == "js_call":
        return ["export async function ask(client, messages) {",
                f'  return client.chat.completions.create({{ model: "{legacy}", messages }});', "}"], kind
    if kind == "js_const":
        return [f'export const DEFAULT_MODEL = "{legacy}";'], kind
    if kind == "js_ai_sdk":
        return [f'export const summarize = (prompt) => generateText({{ model: deepseek("{legacy}"), prompt }});'], kind
    return [f'export const isLegacy = (model) => model === "{legacy}";'], kind


DECOY_JS = (
    "// Docs: https://api-docs.deepseek.com/quick_start/pricing",
    'export const CURRENT_MODEL = "deepseek-v4-flash";',
    'export const local = () => ollama.chat({ model: "deepseek-r1:7b", messages: [] });',
)


def _js_file(rng: random.Random, planted: bool, decoy: bool, typed: bool) -> Tuple[str, Dict[str, int]]:
    lines = js_module(rng, rng.randint(1000, 6000), typed)
    info: Dict[str, int] = {}
    if planted:
        snippet, kind = _planted_js(rng)
        lines[2:2] = snippet + [""]
        info[kind] = 1
        info["literals"] = 1
    elif decoy:
        lines.insert(2, rng.choice(DECOY_JS))
    return "\n".join(lines) + "\n", info


def ts_file(rng: random.Random, planted: bool, decoy: bool) -> Tuple[str, Dict[str, int]]:
    return _js_file(rng, planted, decoy, typed=True)


def js_file(rng: random.Random, planted: bool, decoy: bool) -> Tuple[str, Dict[str, int]]:
    return _js_file(rng, planted, decoy, typed=False)


# -- other formats ------------------------------------------------------------------------------


def yaml_file(rng: random.Random, planted: bool, decoy: bool) -> Tuple[str, Dict[str, int]]:
    lines = [f"# {rng.choice(WORDS)} settings", "service:", f"  name: {_name(rng)}", f"  replicas: {rng.randint(1, 9)}", "  env:"]
    for _ in range(rng.randint(3, 25)):
        lines.append(f"    {_name(rng).upper()}: \"{rng.choice(WORDS)}-{rng.randint(0, 99)}\"")
    lines += ["limits:", f"  cpu: {rng.randint(1, 8)}", f"  memory: {rng.randint(1, 16)}Gi"]
    info: Dict[str, int] = {}
    if planted:
        lines += ["llm:", f"  model: {rng.choice(LEGACY)}", "  temperature: 0.3"]
        info["yaml_model"] = 1
    elif decoy:
        lines += ["llm:", "  model: deepseek-v4-flash", "  docs: https://api-docs.deepseek.com/"]
    return "\n".join(lines) + "\n", info


def env_file(rng: random.Random, planted: bool, decoy: bool) -> Tuple[str, Dict[str, int]]:
    lines = [f"{_name(rng).upper()}={rng.choice(WORDS)}{rng.randint(0, 999)}" for _ in range(rng.randint(3, 15))]
    info: Dict[str, int] = {}
    if planted:
        lines.insert(rng.randrange(len(lines) + 1), f"DEEPSEEK_MODEL={rng.choice(LEGACY)}")
        info["env_value"] = 1
    elif decoy:
        lines.append("DEEPSEEK_MODEL=deepseek-v4-flash")
    return "\n".join(lines) + "\n", info


def markdown_file(rng: random.Random, planted: bool, decoy: bool) -> Tuple[str, Dict[str, int]]:
    lines = [f"# The {rng.choice(WORDS)} {rng.choice(WORDS)}", ""]
    for _ in range(rng.randint(3, 20)):
        lines.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + ".")
        lines.append("")
    if decoy:
        lines.append("See https://api-docs.deepseek.com/ for the model list.")
    return "\n".join(lines) + "\n", {}


WRITERS = {"py": python_file, "ts": ts_file, "js": js_file, "yaml": yaml_file, "env": env_file, "md": markdown_file}


def _file_name(rng: random.Random, kind: str, index: int) -> str:
    if kind == "env":
        return rng.choice((f".env.{rng.choice(WORDS)}{index}", f"{rng.choice(WORDS)}{index}.env"))
    suffix = {"py": ".py", "ts": rng.choice((".ts", ".tsx")), "js": rng.choice((".js", ".mjs")),
              "yaml": rng.choice((".yaml", ".yml")), "md": ".md"}[kind]
    return f"{_name(rng)}_{index}{suffix}"


# -- trees ----------------------------------------------------------------------------------------


ROOT_PYPROJECT = """[project]
name = "synthetic-monorepo"
version = "0.0.0"

[tool.fixit]
root = true
python-version = "3.11"
disable = ["fixit.rules"]
enable = ["fixit_rule.legacy_deepseek"]
"""

SERVICE_PYPROJECT = """[project]
name = "{name}"
version = "0.1.0"
dependencies = ["requests"]
"""

# One service has its own [tool.v4-migrate] table (no extra ids), as monorepos do.
CONFIGURED_SERVICE_PYPROJECT = SERVICE_PYPROJECT + """
[tool.v4-migrate]
ignore = ["DS003"]
"""


def plan(n_files: int, seed: int, planted_share: float = PLANTED_SHARE) -> List[Tuple[str, str, bool, bool]]:
    """(relative path, kind, planted, decoy) for every file, deterministically. The share of
    planted files changes which files are planted, never the paths, the decoys or the random
    draws before the files' contents: a denser tree plants the 0.5% tree's files and more."""
    rng = random.Random(seed)
    kinds: List[str] = []
    for kind, share in SHARES:
        kinds += [kind] * round(n_files * share)
    kinds = (kinds + ["py"] * n_files)[:n_files]
    rng.shuffle(kinds)
    indexes = list(range(n_files))
    rng.shuffle(indexes)
    n_decoy = max(1, round(n_files * DECOY_SHARE))
    eligible = [i for i in indexes if kinds[i] != "md"]
    base = eligible[:max(1, round(n_files * PLANTED_SHARE))]
    in_base = set(base)
    decoys = set([i for i in indexes if i not in in_base][:n_decoy])
    in_order = base + [i for i in eligible[len(base):] if i not in decoys]
    planted = set(in_order[:max(1, round(n_files * planted_share))])
    out = []
    n_services = max(1, n_files // 400)
    for i, kind in enumerate(kinds):
        folder = i // FILES_PER_DIR
        service = folder % n_services
        depth = folder // n_services
        path = f"services/svc_{service:03d}/" + "/".join(f"pkg{(depth >> (2 * level)) & 3}" for level in range(3)) + f"/mod{depth}"
        out.append((f"{path}/{_file_name(rng, kind, i)}", kind, i in planted, i in decoys))
    return out


def _git(tree: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.com",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.com",
               GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")
    subprocess.run(["git", "-C", str(tree), *args], check=True, env=env, stdout=subprocess.DEVNULL)


def _cached_manifest(tree: Path, manifest_path: Path) -> Optional[dict]:
    """The manifest of a tree generated before with the same parameters; otherwise clear the way."""
    if tree.is_dir() and manifest_path.is_file():
        return json.loads(manifest_path.read_text())
    if tree.exists():
        shutil.rmtree(tree)
    return None


def tree_name(n_files: int, seed: int, planted_share: float = PLANTED_SHARE) -> str:
    """The folder of a tree; the 0.5% tree keeps the name it had before densities were added."""
    share = "" if planted_share == PLANTED_SHARE else f"-p{100 * planted_share:g}"
    return f"tree-{n_files}-s{seed}{share}-v{GENERATOR_VERSION}"


def generate_tree(root: Path, n_files: int, seed: int, planted_share: float = PLANTED_SHARE) -> Tuple[Path, dict]:
    """The tree (reused when already generated with the same parameters) and its manifest;
    ``planted_share`` of the files (not Markdown) hold retired ids."""
    tree = root / tree_name(n_files, seed, planted_share)
    manifest_path = tree.with_name(tree.name + ".manifest.json")
    cached = _cached_manifest(tree, manifest_path)
    if cached is not None:
        return tree, cached
    tree.mkdir(parents=True)
    rng = random.Random(seed * 7919 + 1)
    files: Dict[str, dict] = {}
    total_bytes = {kind: 0 for kind in WRITERS}
    for rel, kind, planted, decoy in plan(n_files, seed, planted_share):
        text, info = WRITERS[kind](rng, planted, decoy)
        path = tree / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        total_bytes[kind] += len(text.encode())
        if planted or decoy:
            files[rel] = {"kind": kind, "planted": planted, "decoy": decoy, **info}
    (tree / "pyproject.toml").write_text(ROOT_PYPROJECT)
    for index, service in enumerate(sorted(p for p in (tree / "services").iterdir() if p.is_dir())):
        template = CONFIGURED_SERVICE_PYPROJECT if index == 1 else SERVICE_PYPROJECT
        (service / "pyproject.toml").write_text(template.format(name=service.name))
    _git(tree, "init", "-q")
    _git(tree, "add", "-A")
    _git(tree, "commit", "-q", "-m", "synthetic monorepo")
    manifest = {
        "files": n_files,
        "seed": seed,
        "planted_share": planted_share,
        "bytes": total_bytes,
        "interesting": files,
        "configured_service": "services/svc_001",
    }
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return tree, manifest


def generate_fix_tree(root: Path, n_files: int, seed: int) -> Tuple[Path, dict]:
    """A pristine candidate-heavy tree (not in git): every Python file has 1-3 retired ids in
    safe value positions. Copy it before each --fix run."""
    tree = root / f"fixtree-{n_files}-s{seed}-v{GENERATOR_VERSION}"
    manifest_path = tree.with_name(tree.name + ".manifest.json")
    cached = _cached_manifest(tree, manifest_path)
    if cached is not None:
        return tree, cached
    rng = random.Random(seed * 104729 + 3)
    total = 0
    sites = 0
    for i in range(n_files):
        lines = python_module(rng, rng.randint(2000, 9000))
        block: List[str] = ["import os", ""] if rng.random() < 0.5 else []
        for _ in range(rng.randint(1, 3)):
            legacy = rng.choice(LEGACY)
            block += rng.choice((
                [f'DEFAULT_MODEL = "{legacy}"'],
                [f'LLM_SETTINGS = {{"model": "{legacy}", "max_tokens": 512}}'],
                ["def ask(client, messages):", f'    return client.chat.completions.create(model="{legacy}", messages=messages)'],
                [f'MODEL_NAME = os.getenv("LLM_MODEL", "{legacy}")'],
            )) + [""]
            sites += 1
        at = lines.index("") + 1
        lines[at:at] = block
        text = "\n".join(lines) + "\n"
        path = tree / f"pkg{i // 50}" / f"{_name(rng)}_{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        total += len(text.encode())
    manifest = {"files": n_files, "seed": seed, "bytes": total, "sites": sites}
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return tree, manifest


# -- one big module -------------------------------------------------------------------------------

BIG_MODULE_CLASS = "GeneratedClients"
FUNCTIONS_PER_ID = 3  # about 1.2 KB of ordinary code per id: some 2,500 ids in 3 MB


def _big_module_blocks(rng: random.Random, target_bytes: int) -> Tuple[List[str], int]:
    """Top-level blocks of about ``target_bytes``: ordinary functions and, after every
    ``FUNCTIONS_PER_ID`` of them, a constant bound to a retired id or a function that sends one
    (``MODEL_n = ...``, ``def ask_n(client, messages): ...``); and the number of those ids."""
    lines: List[str] = []
    size = sites = 0
    while size < target_bytes:
        legacy = rng.choice((CHAT, REASONER))
        if sites % 2:
            snippet = [f"def ask_{sites}(client, messages):",
                       f'    return client.chat.completions.create(model="{legacy}", messages=messages)']
        else:
            snippet = [f'MODEL_{sites} = "{legacy}"']
        block: List[str] = []
        for _ in range(FUNCTIONS_PER_ID):
            block += ["", ""] + _py_function(rng)
        block += ["", ""] + snippet
        lines += block
        size += sum(len(line) + 1 for line in block)
        sites += 1
    return lines, sites


def big_module(target_bytes: int, seed: int, in_class: bool) -> Tuple[str, int]:
    """One generated module of about ``target_bytes`` (text, retired ids): the same blocks for
    the same seed, at top level or indented into the body of one class (which a scanner cannot
    skip as a whole)."""
    blocks, sites = _big_module_blocks(random.Random(seed * 15485863 + 5), target_bytes)
    header = ['"""Generated clients: a module as code generators write them."""', "", "import json", "import logging", ""]
    if in_class:
        header += [f"class {BIG_MODULE_CLASS}:", '    """Every client of the generated API."""']
        blocks = [f"    {line}" if line else line for line in blocks]
    return "\n".join(header + blocks) + "\n", sites


BIG_MODULE_FILES = {"top_level.py": False, "class_body.py": True}


def generate_big_modules(root: Path, target_bytes: int, seed: int) -> Tuple[Path, dict]:
    """A git repo holding ``top_level.py`` and ``class_body.py`` (``big_module`` at top level and
    inside one class; reused when already generated) and its manifest: bytes and ids per file."""
    tree = root / f"bigmodule-{target_bytes}-s{seed}-v{GENERATOR_VERSION}"
    manifest_path = tree.with_name(tree.name + ".manifest.json")
    cached = _cached_manifest(tree, manifest_path)
    if cached is not None:
        return tree, cached
    tree.mkdir(parents=True)
    files = {}
    for name, in_class in BIG_MODULE_FILES.items():
        text, sites = big_module(target_bytes, seed, in_class)
        (tree / name).write_text(text, encoding="utf-8", newline="\n")
        files[name] = {"bytes": len(text.encode()), "sites": sites}
    _git(tree, "init", "-q")
    _git(tree, "add", "-A")
    _git(tree, "commit", "-q", "-m", "one big module")
    manifest = {"target_bytes": target_bytes, "seed": seed, "files": files}
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return tree, manifest

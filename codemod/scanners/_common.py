"""What the config-format scanners (YAML, .env, JSON, notebooks) share: the text a retired id
becomes in each context, the files whose ids are only recorded, and findings built from a span.

The scanners decide *where* a string stands; this module decides what that means for the
finding (rule, severity, fix) so the four formats agree."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Callable, Iterator, List, Optional, Tuple

from codemod.catalog import PRIMARY_PROVIDER, IdMatch
from codemod.ftypes import SAFE, UNSAFE, Edit, Finding, ScanContext, SourceText
from codemod import redact
from codemod.scanners._literals import is_identifier, is_plain

VALUE_RULE = "DS001"
REVIEW_RULE = "DS002"
MENTION_RULE = "DS003"
UNPARSED_RULE = "DS005"
RECORDED_RULE = "DS006"
INFO = "info"

# How a retired id in a value position is rewritten.
LITERAL = "literal"  # the V4 id, counting prefix kept
COMPOSE_ENV = "compose-env"  # ${DEEPSEEK_CHAT_MODEL:-deepseek-v4-flash}, read by docker compose
ACTIONS = "actions"  # ${{ vars.DEEPSEEK_CHAT_MODEL || 'deepseek-v4-flash' }}, read by GitHub Actions

LOCK_FILE_PATTERNS = (
    "*.lock",
    "*-lock.json",
    "*-lock.yaml",
    "*-lock.yml",
    "*.lock.json",
    "*.lock.yaml",
    "*.lock.yml",
    "npm-shrinkwrap.json",
    "conda-lock.yml",
)

# The default of an already parameterized value: `${VAR:-id}` / `${VAR-id}` (compose, dotenv,
# shells) and `${{ expr || 'id' }}` (GitHub Actions). Only the default is rewritten, as with
# `os.getenv("X", "deepseek-chat")` in Python.
_PARAMETER_DEFAULTS = (
    re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-(?P<default>[^}]*)\}"),
    re.compile(r"\|\|\s*'(?P<default>[^']*)'\s*\}\}"),
)



@dataclass(frozen=True)
class Decision:
    """What a retired id in a given position means: the rule, the fix kind and how to rewrite."""

    rule: str
    fix: Optional[str]  # SAFE, UNSAFE or None
    context: str = LITERAL
    where: str = ""

    @property
    def severity(self) -> Optional[str]:
        """None: the catalog's tiered severity."""
        return INFO if self.rule in (MENTION_RULE, RECORDED_RULE) else None


def value_decision(context: str = LITERAL, where: str = "") -> Decision:
    return Decision(VALUE_RULE, SAFE, context, where)


def review_decision(where: str, fixable: bool) -> Decision:
    """A review position: with ``fixable`` the V4 id is offered as an unsafe fix."""
    return Decision(REVIEW_RULE, UNSAFE if fixable else None, LITERAL, where)


def replacement_text(match: IdMatch, context: str) -> str:
    """What the id becomes: the counting prefix (`deepseek/`) stays outside the variable,
    which holds a bare id as in the Python fix."""
    model = match.model
    if not (is_identifier(model.env_var) and is_plain(model.replacement)):
        return match.replacement  # no expression around a string that could end it (the scalar quotes it)
    if context == COMPOSE_ENV:
        return f"{match.prefix}${{{model.env_var}:-{model.replacement}}}"
    if context == ACTIONS:
        return f"{match.prefix}${{{{ vars.{model.env_var} || '{model.replacement}' }}}}"
    return match.replacement


def parameter_defaults(value: str, ctx: ScanContext) -> Iterator[IdMatch]:
    """Retired ids that are exactly the default of a `${VAR:-…}` or `|| '…'` expression,
    with offsets into ``value``."""
    for pattern in _PARAMETER_DEFAULTS:
        for m in pattern.finditer(value):
            match = ctx.catalog.exact(m.group("default"))
            if match is not None:
                start = m.start("default")
                yield IdMatch(start, start + len(match.legacy), match.model, match.prefix)


def occurrences(text: str, ctx: ScanContext) -> List[IdMatch]:
    """Every retired id in ``text``: whole tokens, and the defaults of `${VAR:-id}`, which
    the catalog's token rule skips because a `-` precedes them."""
    found = {m.start: m for m in ctx.catalog.find(text)}
    for match in parameter_defaults(text, ctx):
        found.setdefault(match.start, match)
    return [found[start] for start in sorted(found)]


# A model passed to a command-line tool (aider, llm, litellm, a project's own script): the value
# of a `--model`-like flag or of a `*MODEL*=` assignment in front of the command.
_COMMAND_MODEL = re.compile(
    r"""(?:(?<![\w-])(?:--[\w-]*model[\w-]*|-m)(?:=|[ \t]+)|(?<![\w$])[A-Za-z_]*(?i:model)[A-Za-z0-9_]*=)["']?(?P<value>[^\s"';|&)]+)"""
)
COMMAND = Decision(VALUE_RULE, UNSAFE, LITERAL, "as the model argument of a command (a command line cannot send the "
                   "thinking mode: set it in the tool's own settings)")


def command_model_arguments(text: str, ctx: ScanContext) -> Iterator[IdMatch]:
    """Retired ids given to a command as its model (``aider --model deepseek/deepseek-chat``,
    ``llm -m deepseek-chat``, ``MODEL=deepseek-chat ./run.sh``), with offsets into ``text``."""
    for m in _COMMAND_MODEL.finditer(text):
        match = ctx.catalog.exact(m.group("value"))
        if match is not None:
            start = m.start("value")
            yield IdMatch(start, start + len(match.legacy), match.model, match.prefix)


MINIFIED_LINE = 5000  # characters: a line this long is a bundle or generated data, not something to read


def is_minified(text: str) -> bool:
    """Whether ``text`` has a line over ``MINIFIED_LINE`` characters (a minified bundle): the
    report-only formats skip such files quietly."""
    return len(text) > MINIFIED_LINE and any(len(line) > MINIFIED_LINE for line in text.splitlines())


def shifted(match: IdMatch, offset: int) -> IdMatch:
    return IdMatch(match.start + offset, match.end + offset, match.model, match.prefix)


def routes_elsewhere(ctx: ScanContext, sibling: Callable[[str], Optional[str]], provider: str = PRIMARY_PROVIDER) -> bool:
    """Whether a mapping's base URL (a sibling key such as ``base_url``/``api_base``) sends its
    model to a host other than ``provider``'s API: a local server, a gateway. ``sibling`` gives
    the string value of a key in the same mapping, or None."""
    for name in ctx.catalog.python.get("base_url_keywords", ()):
        url = sibling(name)
        info = ctx.catalog.classify_url(url) if url else None
        if info is not None and not info.serves(provider):
            return True
    return False


def is_lock_file(path: str) -> bool:
    name = PurePosixPath(path.replace("\\", "/")).name
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in LOCK_FILE_PATTERNS)


def is_cassette(data: Any) -> bool:
    """Whether loaded data is a VCR recording (vcrpy, pytest-recording): top-level
    `interactions` whose items each hold a `request` and a `response`."""
    if not isinstance(data, dict):
        return False
    interactions = data.get("interactions")
    return (
        isinstance(interactions, list)
        and bool(interactions)
        and all(isinstance(i, dict) and "request" in i and "response" in i for i in interactions)
    )


def snippet_at(source: SourceText, offset: int) -> str:
    line, column = source.position(offset)
    return redact.snippet(source.line_text(line), column - 1)


# -- findings -------------------------------------------------------------------------------------


def id_finding(
    source: SourceText,
    ctx: ScanContext,
    match: IdMatch,
    decision: Decision,
    edits: Tuple[Edit, ...] = (),
    **kwargs: Any,
) -> Finding:
    """A finding for ``match`` (offsets into ``source.text``) as ``decision`` says."""
    if decision.severity is not None:
        kwargs.setdefault("severity", decision.severity)
    kwargs.setdefault("snippet", snippet_at(source, match.start))
    fix = decision.fix if edits else None
    return ctx.id_finding(
        source, match.start, match.end, match, decision.rule, where=decision.where, fix=fix, edits=edits, **kwargs
    )


def text_findings(
    source: SourceText, ctx: ScanContext, start: int, end: int, decision: Decision, **kwargs: Any
) -> List[Finding]:
    """A finding, without a fix, for every retired id in ``source.text[start:end]``."""
    return [
        id_finding(source, ctx, shifted(m, start), decision, **kwargs)
        for m in occurrences(source.text[start:end], ctx)
    ]


def mention(where: str) -> Decision:
    return Decision(MENTION_RULE, None, LITERAL, where)


def recorded(where: str) -> Decision:
    return Decision(RECORDED_RULE, None, LITERAL, where)


def unparsed(where: str) -> Decision:
    return Decision(UNPARSED_RULE, None, LITERAL, where)


LOCK_FILE = recorded("in a lock file; regenerate it instead")
CASSETTE = recorded("in a recorded HTTP interaction (VCR cassette); re-record it instead")

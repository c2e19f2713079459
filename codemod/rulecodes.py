"""Rule codes as users write them (``--select``, ``ignore = [...]``, per-file-ignores): a
code, a prefix of codes (``DS0``, as in Ruff) or ``ALL``. A selector that matches no rule is
an error, never a silent pass."""

from __future__ import annotations

import os
import re
from typing import FrozenSet, Iterable, List, Optional

ALL = "ALL"


def known_codes() -> FrozenSet[str]:
    from codemod.ruledocs import load_rule_docs

    return frozenset(load_rule_docs())


def matches(code: str, selector: str) -> bool:
    selector = selector.strip().upper()
    return selector == ALL or code.upper().startswith(selector)


def selector_problem(selector: str, codes: Optional[Iterable[str]] = None) -> Optional[str]:
    """What is wrong with a selector, with a did-you-mean; None when it selects some rule."""
    codes = sorted(known_codes() if codes is None else codes)
    wanted = selector.strip().upper()
    if wanted == ALL or (wanted and any(code.startswith(wanted) for code in codes)):
        return None
    shown = _shown(selector)
    if not wanted:
        return "an empty rule code selects nothing; write a code such as DS001, a prefix such as DS0, or ALL"
    close = closest(wanted, codes)
    if close:
        return f"unknown rule code {shown}; did you mean {close}?"
    return f"unknown rule code {shown}; the rules are {', '.join(codes)}"


def closest(word: str, choices: Iterable[str]) -> Optional[str]:
    """The choice a typo most likely meant (difflib), ties going to the longer common start:
    ``DS01`` is ``DS001`` rather than ``DS201``."""
    import difflib  # only for a typo: not on every run's start-up path

    scored = []
    for choice in choices:
        ratio = difflib.SequenceMatcher(None, word, choice).ratio()
        if ratio >= 0.6:
            start = len(os.path.commonprefix([word, choice]))
            scored.append((ratio, start, choice))
    return max(scored)[2] if scored else None


def problems(selectors: Iterable[str], where: str) -> List[str]:
    """One line per bad selector of a command-line option (``where``: ``--select``)."""
    found = []
    for selector in selectors:
        wrong = selector_problem(selector)
        if wrong:
            found.append(f"{where}: {wrong}")
    return found


def _shown(selector: str) -> str:
    # A code is echoed only as plain characters: no control character reaches the terminal.
    plain = re.sub(r"[^\x21-\x7e]", "?", selector)[:40]
    return repr(plain)

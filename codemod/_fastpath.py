"""The pre-commit fast path: ``v4-migrate f1.py ... f10.py`` on files that cannot hold a
retired id answers "All checks passed" without importing click, the config machinery, the
catalog or any scanner. Standard library only, and only what the interpreter has loaded anyway.

It takes the run only when the answer is certain to be the one the full pipeline would give:
explicit regular files, options that cannot change a clean result, no ``[tool.v4-migrate]``
table above any file that could add ids (and no unreadable or invalid pyproject.toml on the
way), output to a pipe or file in the text format, and no file holding the bytes ``deepseek``
(every term of the built-in catalog's byte prefilter contains them; tests/test_scale.py
checks it). Anything else returns
None and the full pipeline runs from the start.
"""

from __future__ import annotations

import os
import stat
import sys

NEEDLE = b"deepseek"
DEFAULT_MAX_FILE_SIZE = 4 * 1024 * 1024  # config.DEFAULT_MAX_FILE_SIZE
BINARY_SNIFF_BYTES = 8192  # engine.BINARY_SNIFF_BYTES
TODAY_ENV_VAR = "V4_MIGRATE_TODAY"  # deadline.TODAY_ENV_VAR

# Options that cannot change the outcome for files without a finding.
FLAGS = frozenset({"-q", "--quiet", "--exit-zero", "--fix", "--show-fixes", "--exit-non-zero-on-fix"})
VALUED = frozenset({"--today", "--format", "--fail-on", "-j", "--jobs", "--select", "--extend-select", "--ignore",
                    "--exclude", "--extend-exclude"})
FAIL_ON = frozenset({"info", "notice", "warning", "error", "never"})
CODE_OPTIONS = frozenset({"--select", "--extend-select", "--ignore"})
MAX_FILE_SIZE_LIMIT = 2**40  # schema.MAX_FILE_SIZE_LIMIT


# Every option of the command line, by whether it takes a value (tests/test_scale.py checks
# them against click's); --explain, --vendor-shim, --version and --help end a run early.
OPTIONS_WITH_VALUE = VALUED | {"-o", "--output", "--config", "--baseline", "--write-baseline", "--stdin-filename"}
OPTION_FLAGS = FLAGS | {"--unsafe-fixes", "--diff", "--statistics", "--group-by-owner"}
NO_GIT_GREP_ENV = "V4_MIGRATE_NO_GIT_GREP"  # engine.NO_GIT_GREP_ENV


def start_git_early(argv=None):
    """Start `git ls-files` and `git grep` (the built-in catalog's needle) in each folder named,
    or `.`, before the command line imports click and the pipeline: the engine takes them over
    when it asks for the same commands (gitcmd.take)."""
    try:
        folders = _folders_named(list(sys.argv[1:] if argv is None else argv))
        if not folders or os.environ.get(NO_GIT_GREP_ENV):
            return
        from pathlib import Path

        from codemod import gitcmd

        for folder in folders:
            root = Path(folder)
            gitcmd.start_early(gitcmd.grep_command(root, (NEEDLE,)))
            gitcmd.start_early(gitcmd.grep_command(root, (NEEDLE,), gitcmd.PYTHON_PATHSPECS, quiet=True))
            gitcmd.start_early(gitcmd.ls_files_command(root))
    except Exception:  # only an head start: the pipeline runs what it needs itself
        return


def _folders_named(args):
    """The folders among the paths of a command line whose every option is known; None if one
    is not (or ends the run early)."""
    paths = []
    only_paths = False
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if only_paths or not arg.startswith("-") or arg == "-":
            paths.append(arg)
        elif arg == "--":
            only_paths = True
        elif arg.partition("=")[0] in OPTIONS_WITH_VALUE:
            index += 0 if "=" in arg else 1
        elif arg not in OPTION_FLAGS:
            return None
    return [p for p in (paths or ["."]) if os.path.isdir(p)]


def clean_run(argv=None):
    """The exit code when every named file is certainly clean (the summary is printed);
    None when the full pipeline must decide."""
    try:
        return _clean_run(list(sys.argv[1:] if argv is None else argv))
    except Exception:  # anything unexpected: let the full pipeline handle (and report) it
        return None


def _clean_run(args):
    quiet = False
    paths = []
    values = {}
    codes = []  # every rule selector given: an unknown one is the pipeline's error to report
    only_paths = False
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if only_paths or not arg.startswith("-"):
            paths.append(arg)
        elif arg == "--":
            only_paths = True
        elif arg in FLAGS:
            quiet = quiet or arg in ("-q", "--quiet")
        else:
            name, equals, value = arg.partition("=")
            if name not in VALUED:
                return None
            if not equals:
                if index >= len(args):
                    return None
                value = args[index]
                index += 1
            values[name] = value
            if name in CODE_OPTIONS:
                codes += value.split(",")
    if not paths or not _options_valid(values) or not _selectors_known(codes):
        return None
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        return None  # the coloured summary is rich's job
    real_paths = set()
    config_dirs = {}
    for path in paths:
        if path.startswith("-"):
            return None
        info = os.stat(path)  # OSError -> None, via clean_run
        if not stat.S_ISREG(info.st_mode):
            return None
        folder = os.path.realpath(os.path.dirname(os.path.abspath(path)))
        max_size = _max_file_size_for(folder, config_dirs)
        if max_size is None or _may_hold_an_id(path, max_size):
            return None
        real_paths.add(os.path.realpath(path))
    if not quiet:
        sys.stdout.write(f"All checks passed: {len(real_paths)} file(s) checked.\n")
        sys.stdout.flush()
    return 0


def _options_valid(values):
    if values.get("--format", "text") != "text":
        return False
    if values.get("--fail-on", "warning") not in FAIL_ON:
        return False
    for name in ("-j", "--jobs"):
        if name in values and not (values[name].isdigit() and int(values[name]) >= 1):
            return False
    today = values.get("--today") or os.environ.get(TODAY_ENV_VAR)
    if today:
        from datetime import date

        try:
            date.fromisoformat(today.strip())
        except ValueError:
            return False
    return True


def rule_codes():
    """The codes of the rules, from the names of their files (as catalog.rules_dir finds the
    folder); None when the folder is not found."""
    here = os.path.dirname(os.path.abspath(__file__))
    for folder in (os.path.join(here, "rules"), os.path.join(os.path.dirname(here), "rules")):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        if "catalog.toml" in names:
            return {name[:-5] for name in names if name.startswith("DS") and name.endswith(".toml")}
    return None


def _selectors_known(selectors):
    """Whether every selector selects some rule, as rulecodes.selector_problem decides."""
    wanted = [s.strip().upper() for s in selectors if s.strip()]
    if not wanted:
        return True
    codes = rule_codes()
    return codes is not None and all(w == "ALL" or any(c.startswith(w) for c in codes) for w in wanted)


def _max_file_size_for(folder, seen):
    """The max-file-size that applies to files in ``folder``, or None when the fast path cannot
    vouch for the config: config.ConfigResolver.for_dir's walk up to the closest pyproject.toml
    with a [tool.v4-migrate] table, accepting only tables whose keys cannot change what is found
    (no catalog tables) and whose values config.build would accept."""
    chain = []
    current = folder
    result = DEFAULT_MAX_FILE_SIZE
    while True:
        if current in seen:
            result = seen[current]
            break
        chain.append(current)
        candidate = os.path.join(current, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, "rb") as fh:
                    data = _toml().load(fh)
            except Exception:  # unreadable, not UTF-8, not TOML
                result = None
                break
            tool = data.get("tool", {})
            if not isinstance(tool, dict) or any(_looks_like_ours(name) for name in tool):
                result = None  # (a misspelled table of ours is the pipeline's warning to give)
                break
            if "v4-migrate" in tool:
                result = _plain_table_max_size(tool["v4-migrate"])
                break
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    for folder_seen in chain:
        seen[folder_seen] = result
    return result


def _toml():
    """The TOML parser config.py reads pyproject.toml with: tomllib, or tomli before 3.11."""
    try:
        import tomllib
    except ImportError:  # Python < 3.11: tomli, a dependency there
        import tomli as tomllib
    return tomllib


# [tool.v4-migrate] keys that only choose rules, paths to skip (never explicit files), the exit
# threshold or the retry strategy: none of them can find an id in a file without one.
PLAIN_LIST_KEYS = frozenset({"select", "extend_select", "ignore", "exclude", "extend_exclude"})
RETRY_STRATEGIES = frozenset({"auto", "tenacity", "sdk", "shim", "off"})


def _looks_like_ours(name):
    """A cautious superset of schema.looks_like_ours: any name with v4 or migrat in it."""
    lowered = str(name).lower()
    return lowered != "v4-migrate" and ("v4" in lowered or "migrat" in lowered)


def _plain_table_max_size(table):
    if not isinstance(table, dict):
        return None
    size = DEFAULT_MAX_FILE_SIZE
    for key, value in table.items():
        key = str(key).replace("-", "_")
        if key in PLAIN_LIST_KEYS:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return None
            if key in ("exclude", "extend_exclude") and any(not v or "\\" in v for v in value):
                return None  # a pattern that may not compile: the pipeline reports it
            if key not in ("exclude", "extend_exclude") and (not all(v.strip() for v in value) or not _selectors_known(value)):
                return None
        elif key == "fail_on":
            if value not in FAIL_ON:
                return None
        elif key == "retry_strategy":
            if value not in RETRY_STRATEGIES:
                return None
        elif key == "max_file_size":
            if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_FILE_SIZE_LIMIT:
                return None
            size = value
        else:  # the catalog's tables (custom ids, hosts ...), or a key config.build rejects
            return None
    return size


def _may_hold_an_id(path, max_size):
    """As engine.FileProcessor.read and the prefilter see the file (over the size cap or
    binary: skipped, so clean)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with open(fd, "rb", closefd=True) as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            return True
        if info.st_size > max_size:
            return False
        raw = fh.read(max_size + 1)
    if len(raw) > max_size or b"\0" in raw[:BINARY_SNIFF_BYTES]:
        return False
    return NEEDLE in raw

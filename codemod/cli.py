"""``v4-migrate [OPTIONS] [PATHS]...``: check by default, ``--fix`` to rewrite.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings remain or ``--diff`` would change
files; 2 usage, config or I/O errors; 3 ``--baseline`` was rewritten because it only shrank."""

from __future__ import annotations

import os
import sys

from codemod import __version__

TYPE_CHECKING = False  # not typing's: importing typing costs the pre-commit fast path
if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path
    from typing import List, Optional, Sequence, TextIO, Tuple

    import click

    from codemod import deadline
    from codemod.ftypes import SEVERITY_RANK

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_BASELINE_SHRANK = 0, 1, 2, 3
FORMATS = ("text", "concise", "json", "sarif", "github", "markdown", "junit", "gitlab")


def _load() -> None:
    """The imports of the full pipeline, bound as module globals. They wait until the first
    call that needs them, so the pre-commit fast path in main() loads none of them."""
    global Path, click, deadline, SEVERITY_RANK
    from pathlib import Path

    import click

    from codemod import deadline
    from codemod._bytecode_cache import dataclass_methods_cached

    with dataclass_methods_cached("codemod.ftypes"):  # its dataclasses, and those it imports
        from codemod.ftypes import SEVERITY_RANK


def _codes(values: Sequence[str]) -> Tuple[str, ...]:
    """``--select DS001,DS002 --select DS101`` -> all three."""
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


def _today(ctx, param, value):
    try:
        return deadline.reference_date(value)
    except ValueError:
        raise click.BadParameter(f"expected YYYY-MM-DD (from --today or {deadline.TODAY_ENV_VAR})") from None


def _explain(ctx, param, value):
    if not value or ctx.resilient_parsing:
        return
    from codemod.ruledocs import load_rule_docs

    docs = load_rule_docs()
    if value == _ALL_RULES:  # --explain alone: the rules, one line each
        width = max(len(doc.name) for doc in docs.values())
        for doc in docs.values():
            fix = "no fix" if doc.fix == "none" else f"{doc.fix} fix"
            click.echo(f"{doc.code}  {doc.name:<{width}}  {fix:<10}  {'on' if doc.default else 'opt-in':<6}  {doc.summary}")
        ctx.exit(EXIT_OK)
    by_name = {doc.name: doc for doc in docs.values()}
    doc = docs.get(value.upper()) or by_name.get(value.lower())
    if doc is None:
        import difflib

        close = difflib.get_close_matches(value.upper(), list(docs), n=1) or difflib.get_close_matches(value.lower(), list(by_name), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise click.BadParameter(f"unknown rule {value!r}{hint} (`--explain` alone lists the rules)")
    click.echo(doc.explain(), nl=False)
    ctx.exit(EXIT_OK)


_ALL_RULES = "\0all"  # the value of a bare --explain


def _vendor_shim(ctx, param, value):
    if not value or ctx.resilient_parsing:
        return
    from codemod import shim

    try:
        written = shim.write_vendored(Path(value))
    except OSError as exc:
        click.echo(f"v4-migrate: error: cannot write {value}: {exc.strerror or exc}", err=True)
        ctx.exit(EXIT_ERROR)
    click.echo(f"wrote the stdlib-only runtime shim to {written}")
    ctx.exit(EXIT_OK)


def _command():
    """The click command, built on first use (it is also ``codemod.cli.cli``)."""
    command = globals().get("cli")
    if command is not None:
        return command
    _load()

    @click.argument("paths", nargs=-1, type=click.Path())
    @click.option("--fix", is_flag=True, help="Apply safe fixes.")
    @click.option("--unsafe-fixes", is_flag=True, help="Also apply unsafe fixes (with --fix or --diff).")
    @click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
    @click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
    @click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the report to FILE.")
    @click.option("--today", callback=_today, metavar="YYYY-MM-DD", help=f"Reference date for deadline tiers [default: ${deadline.TODAY_ENV_VAR} or today, UTC].")
    @click.option("--fail-on", type=click.Choice(("info", "notice", "warning", "error", "never")), help="Lowest severity that makes the exit code 1 [default: warning].")
    @click.option("--select", multiple=True, metavar="CODES", help="Only these rules (codes or prefixes, comma-separated; ALL).")
    @click.option("--extend-select", multiple=True, metavar="CODES", help="Rules to add to the selection, e.g. DS102.")
    @click.option("--ignore", multiple=True, metavar="CODES", help="Rules to turn off.")
    @click.option("--exclude", multiple=True, metavar="PATTERN", help="Gitignore-style patterns to skip, replacing the config's.")
    @click.option("--extend-exclude", multiple=True, metavar="PATTERN", help="Patterns to skip, added to the config's.")
    @click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), help="Use this TOML file for every path.")
    @click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain (errors still exit 2).")
    @click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
    @click.option("--statistics", is_flag=True, help="Print counts per rule instead of findings.")
    @click.option("--baseline", type=click.Path(dir_okay=False), help="Only findings not in this baseline fail; a baseline that shrank is rewritten (exit 3).")
    @click.option("--write-baseline", type=click.Path(dir_okay=False), help="Record the current findings as the baseline.")
    @click.option("--group-by-owner", is_flag=True, help="Group call sites by CODEOWNERS owner in reports.")
    @click.option("--stdin-filename", metavar="PATH", help="With the path `-`: the name of the file on stdin (its format and config) [default: stdin.py].")
    @click.option("--show-fixes", is_flag=True, help="List the fixes applied (with --fix) or available, per file.")
    @click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when --fix changed a file, even if nothing remains.")
    @click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Processes for parsing [default: the cores].")
    @click.option("--explain", callback=_explain, expose_value=False, is_eager=True, metavar="[CODE|NAME]", is_flag=False,
                  flag_value=_ALL_RULES, help="Print a rule's documentation (by code or name); alone, list the rules.")
    @click.option("--vendor-shim", callback=_vendor_shim, expose_value=False, is_eager=True, metavar="PATH", type=click.Path(dir_okay=False), help="Write the runtime shim as one stdlib-only file.")
    @click.version_option(__version__, prog_name="v4-migrate")
    def cli(**params):
        try:
            return _cli(**params)
        except KeyboardInterrupt:  # before click turns it into "Aborted!" and exit code 1
            _interrupted()

    class Command(click.Command):
        def make_context(self, *args, **kwargs):
            try:
                return super().make_context(*args, **kwargs)
            except KeyboardInterrupt:  # while click parses: 130 too, not "Aborted!" and 1 (findings)
                _interrupted()

    cli.__doc__ = _cli.__doc__
    command = click.command(cls=Command, context_settings={"help_option_names": ["-h", "--help"]})(cli)
    globals()["cli"] = command
    return command


def __getattr__(name: str):
    if name == "cli":  # PEP 562: the command is built when first asked for
        return _command()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _cli(paths, fix, unsafe_fixes, diff, output_format, output, today, fail_on, select, extend_select, ignore, exclude,
        extend_exclude, config_path, exit_zero, quiet, statistics, baseline, write_baseline, group_by_owner, jobs,
        stdin_filename=None, show_fixes=False, exit_non_zero_on_fix=False):
    """Find retired DeepSeek model ids (deepseek-chat, deepseek-reasoner) and rewrite them to
    environment-parameterized V4 ids; with `providers` in the config, OpenAI's, Anthropic's and
    Gemini's too. `v4-migrate server` runs the language server (the lsp extra); `v4-migrate
    catalog check FILE --provider NAME` compares the catalog with a model list you supply."""
    from codemod._bytecode_cache import dataclass_methods_cached

    with dataclass_methods_cached("codemod.engine"):
        from codemod.config import CliOverrides, ConfigError
        from codemod.engine import Engine, RunOptions

    overrides = CliOverrides(
        select=_codes(select) or None,
        extend_select=_codes(extend_select),
        ignore=_codes(ignore),
        exclude=tuple(exclude) or None,
        extend_exclude=tuple(extend_exclude),
        fail_on=fail_on,
    )
    stdin = list(paths) == ["-"]
    if "-" in paths and not stdin or stdin_filename and not stdin:
        click.echo("v4-migrate: error: `-` (read the file from stdin) must be the only path, and --stdin-filename needs it",
                   err=True)
        sys.exit(EXIT_ERROR)
    options = RunOptions(
        not_scanned=frozenset(_display(p) for p in (baseline, write_baseline) if p),
        stdin=stdin,
        today=today,
        fix=fix or diff,
        unsafe_fixes=unsafe_fixes,
        diff=diff,
        jobs=jobs or os.cpu_count() or 1,
        config_path=Path(config_path) if config_path else None,
        overrides=overrides,
        write_root=None if stdin else _write_root(),
    )
    try:
        engine = Engine(options)
        fail_on_level = engine.resolver.default().fail_on
    except (ConfigError, ValueError, OSError) as exc:
        from codemod.redact import error_line

        for line in str(exc).splitlines() or [type(exc).__name__]:
            click.echo(f"v4-migrate: error: {error_line(line)}", err=True)
        sys.exit(EXIT_ERROR)
    _exit_cleanly_on_sigterm()
    engine.progress = _progress()
    try:
        if stdin:
            raw = sys.stdin.buffer.read()
            results = [engine.run_stdin(raw, stdin_filename or "stdin.py")]
        else:
            results = list(engine.run(paths or ["."]))
    finally:
        engine.progress.close()
    report = _build_report(engine, results, options, group_by_owner)
    report.quiet = quiet
    if group_by_owner:
        from codemod import codeowners

        owners = codeowners.assign(report.remaining, report.cwd)  # extra["owners"], so every format has them
        report.errors += owners.problems if owners is not None else []
    exit_code = _exit_code(report, fail_on_level, diff, exit_zero)
    if baseline or write_baseline:
        exit_code = _apply_baseline(report, baseline, write_baseline, fail_on_level, exit_code, exit_zero, paths or (".",))
    if exit_non_zero_on_fix and report.fixes_applied and exit_code == EXIT_OK:
        exit_code = EXIT_FINDINGS
    try:
        if stdin and options.writes:  # the fixed file is the output; the report goes to stderr
            sys.stdout.buffer.write(results[0].fixed_bytes if results[0].fixed_bytes is not None else raw)
            sys.stdout.flush()
            if not output:
                _render(report, output_format, sys.stderr, statistics, output, show_fixes)
                sys.exit(exit_code)
        with _open_output(output) as out:
            _render(report, output_format, out, statistics, output, show_fixes)
            out.flush()  # a full disk or /dev/full fails here, not unseen at exit
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        pass
    except OSError as exc:
        click.echo(f"v4-migrate: error: cannot write the report to {output or 'stdout'}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(exit_code)


def _display(path: str) -> str:
    """A path as the run names the files it finds: relative to the working directory, with /."""
    return os.path.relpath(os.path.abspath(path)).replace(os.sep, "/")


def _write_root() -> str:
    """Fixes are written only inside the git work tree that holds the current directory (or, outside
    git, inside the current directory)."""
    from codemod.applier import tree_root

    return tree_root(os.getcwd())


def _exit_cleanly_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so an atomic write in progress removes its temp file."""

    import signal

    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (e.g. embedded)
        pass


def _progress():
    """A progress bar on stderr when it is a terminal (not in CI): rich, shown only once a run
    has been parsing for a second."""
    from codemod.engine import Progress

    if os.environ.get("CI") or os.environ.get("TERM") == "dumb" or not sys.stderr.isatty():
        return Progress()
    return _TerminalProgress()


class _TerminalProgress:
    DELAY = 1.0  # seconds before a bar appears
    REFRESH = 0.1

    def __init__(self):
        import time

        self.clock = time.monotonic
        self.started = self.clock()
        self.total = self.done = 0
        self.last = 0.0
        self.bar = None
        self.task = None

    def add(self, count: int = 1) -> None:
        self.total += count
        self._tick()

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._tick()

    def _tick(self) -> None:
        now = self.clock()
        if self.bar is None:
            if now - self.started < self.DELAY:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            # No refresh thread (workers are forked) and no capture of stdout: refreshed here.
            self.bar = Progress(
                TextColumn("v4-migrate: parsing candidate files"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(file=sys.stderr), auto_refresh=False, transient=True, redirect_stdout=False,
                redirect_stderr=False,
            )
            self.bar.start()
            self.task = self.bar.add_task("parse", total=self.total)
        if now - self.last >= self.REFRESH or self.done >= self.total:
            self.bar.update(self.task, total=self.total, completed=self.done)
            self.bar.refresh()
            self.last = now

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _build_report(engine, results, options, group_by_owner):
    from codemod.reporters import Report
    from codemod.ruledocs import load_rule_docs

    findings = sorted(
        (f for r in results for f in r.findings), key=lambda f: (f.path, f.line, f.column, f.rule)
    )
    errors = engine.problems + [e for r in results for e in r.errors]
    return Report(
        findings=findings,
        files_scanned=engine.files_seen,
        errors=errors,
        today=options.today,
        catalog=engine.resolver.default().catalog,
        rules=load_rule_docs(),
        cwd=Path.cwd(),
        mode="diff" if options.diff else "fix" if options.fix else "check",
        fixes_applied=sum(r.fixed for r in results) if options.writes else 0,
        files_changed=sum(1 for r in results if r.changed),
        diffs=[r.diff for r in results if r.diff],
        group_by_owner=group_by_owner,
        warnings=list(engine.resolver.warnings),
    )


def _failing(findings, fail_on_level: str) -> List:
    if fail_on_level == "never":
        return []
    threshold = SEVERITY_RANK[fail_on_level]
    return [f for f in findings if not f.fixed and SEVERITY_RANK[f.severity] >= threshold]


def _exit_code(report, fail_on_level: str, diff: bool, exit_zero: bool) -> int:
    if report.errors:
        return EXIT_ERROR
    if exit_zero:
        return EXIT_OK
    if diff and report.diffs:
        return EXIT_FINDINGS
    return EXIT_FINDINGS if _failing(report.findings, fail_on_level) else EXIT_OK


def _apply_baseline(report, baseline_path, write_path, fail_on_level, exit_code, exit_zero, paths=(".",)) -> int:
    from codemod import baseline

    remaining = report.remaining
    try:
        if write_path:
            count = baseline.write(Path(write_path), remaining)
            click.echo(f"v4-migrate: wrote the baseline {write_path}: {count} finding(s) recorded", err=True)
        if not baseline_path:
            # Recording the current findings is the point of --write-baseline, not a failure.
            return EXIT_ERROR if report.errors else EXIT_OK
        known = baseline.load(Path(baseline_path))
    except baseline.BaselineError as exc:  # its message names the file
        report.errors.append(str(exc))
        return EXIT_ERROR
    # Only entries under the checked paths can be gone (pre-commit passes just the staged files).
    outcome = baseline.compare(remaining, known, baseline.scope_of(paths, report.cwd))
    report.baseline = outcome
    if report.errors:
        return EXIT_ERROR
    if exit_zero:
        return EXIT_OK
    if _failing(outcome.new, fail_on_level):
        return EXIT_FINDINGS
    try:
        if not write_path and baseline.rewrite_if_shrunk(Path(baseline_path), outcome):
            return EXIT_BASELINE_SHRANK
    except baseline.BaselineError as exc:
        report.errors.append(str(exc))
        return EXIT_ERROR
    return EXIT_OK


def _open_output(path: Optional[str]):
    """stdout, or ``-o FILE`` written atomically: the whole report or, on an error, the old file."""
    import contextlib

    from codemod.applier import atomic_output

    return atomic_output(path) if path else contextlib.nullcontext(sys.stdout)


def _use_color(out: TextIO, to_file: bool) -> bool:
    if to_file or os.environ.get("NO_COLOR"):
        return False
    return hasattr(out, "isatty") and out.isatty()


def _render(report, output_format: str, out: TextIO, statistics: bool, output: Optional[str], show_fixes: bool = False) -> None:
    from codemod import reporters

    color = _use_color(out, bool(output))
    report.show_fixes, report.format = show_fixes, output_format
    reporters.render("statistics" if statistics else output_format, report, out, color)
    for line in report.warnings:
        click.echo(f"warning: {line}", err=True)
    for line in report.errors:
        click.echo(f"error: {line}", err=True)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """The program (console script, ``python -m codemod``): it ends the process. ``cli`` is the
    click command, for use inside another program."""
    try:
        _run(argv)
    except SystemExit as done:
        _end_process(done.code)


def _run(argv: Optional[Sequence[str]]) -> None:
    try:
        _exit_cleanly_on_sigterm()
        args = list(sys.argv[1:] if argv is None else argv)
        if args[:1] == ["server"]:  # the language server (codemod/lsp): neither click nor the fast path
            from codemod.lsp import main as serve

            sys.exit(serve(args[1:]))
        if args[:2] == ["catalog", "check"]:  # the catalog against a model list the user supplies
            from codemod import catalog_check

            sys.exit(catalog_check.main(args[1:]))
        from codemod import _fastpath

        code = _fastpath.clean_run(argv)  # named files that cannot hold an id: no imports
        if code is not None:
            sys.exit(code)
        _fastpath.start_git_early(argv)  # they run while click and the pipeline are imported
        try:
            _command().main(args=argv, prog_name="v4-migrate", standalone_mode=True)
        finally:
            from codemod import gitcmd

            gitcmd.stop_early()
    except KeyboardInterrupt:
        _interrupted()
    except RuntimeError as exc:  # Python < 3.12 wraps one raised while a class is made (a dataclass field)
        if isinstance(exc.__cause__, KeyboardInterrupt):
            _interrupted()
        raise
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRNOS:
            raise
        # output the run itself writes (--explain, --help) to a full disk or /dev/full
        _say_to_stderr(f"v4-migrate: error: cannot write the output: {exc.strerror or exc}")
        sys.exit(EXIT_ERROR)


def _output_errnos() -> frozenset:
    import errno

    return frozenset(getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EFBIG", "EIO", "EROFS") if hasattr(errno, name))


_OUTPUT_ERRNOS = _output_errnos()


def _end_process(code) -> None:
    """Flush the output and exit at once. Tearing the interpreter down object by object (LibCST's
    classes, the run's listings) would take about 0.1 s more, and nothing is left to clean up:
    files are written, the worker pool and git are finished, the output file is closed."""
    if code is not None and not isinstance(code, int):
        sys.stderr.write(f"{code}\n")
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a closed pipe (`| head`), a closed stream
            pass
        except OSError as exc:  # a full disk, /dev/full: the output is incomplete
            if stream is sys.stdout:
                _say_to_stderr(f"v4-migrate: error: cannot write to stdout: {exc.strerror or exc}")
                code = EXIT_ERROR
    os._exit(code or 0)


def _say_to_stderr(line: str) -> None:
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _interrupted() -> None:
    sys.stderr.write("interrupted; every file is either unchanged or completely rewritten\n")
    sys.stderr.flush()
    sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()

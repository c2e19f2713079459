#!/usr/bin/env bash
# The steps of action.yml. `action.sh install` makes a virtualenv in $RUNNER_TEMP and installs
# v4-migrate into it from this folder; `action.sh run` checks INPUT_PATHS:
#   1. SARIF to INPUT_SARIF_FILE (when set), for code scanning;
#   2. the Markdown report, grouped by owner, appended to $GITHUB_STEP_SUMMARY (INPUT_SUMMARY=true);
#   3. the gating run in INPUT_FORMAT, whose exit code is the step's (an error in 1 or 2 makes it 2).
# Locally: RUNNER_TEMP=/tmp GITHUB_STEP_SUMMARY=/tmp/summary.md ./action.sh install && ./action.sh run
set -euo pipefail

here="${GITHUB_ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
venv="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/v4-migrate-venv"

install() {
    "${INPUT_PYTHON:-python3}" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$here"
}

run() {
    local tool="$venv/bin/v4-migrate" status=0 code=0
    local -a paths common
    read -r -a paths <<< "${INPUT_PATHS:-.}"
    common=(--fail-on "${INPUT_FAIL_ON:-warning}")
    if [ -n "${INPUT_BASELINE:-}" ]; then
        common+=(--baseline "$INPUT_BASELINE")
    fi
    if [ -n "${INPUT_SARIF_FILE:-}" ]; then
        "$tool" --format sarif --output "$INPUT_SARIF_FILE" --exit-zero "${common[@]}" -- "${paths[@]}" || status=$?
    fi
    if [ "${INPUT_SUMMARY:-true}" = "true" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
        "$tool" --format markdown --group-by-owner --exit-zero "${common[@]}" -- "${paths[@]}" >> "$GITHUB_STEP_SUMMARY" || status=$?
    fi
    "$tool" --format "${INPUT_FORMAT:-github}" "${common[@]}" -- "${paths[@]}" || code=$?
    if [ "$code" -eq 0 ] && [ "$status" -ne 0 ]; then
        code=$status
    fi
    return "$code"
}

case "${1:-}" in
    install) install ;;
    run) run ;;
    *) echo "usage: action.sh install|run" >&2; exit 2 ;;
esac

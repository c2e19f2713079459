"""codemod.redact: what a printed line may show. A secret never; the model id always.
(How fast: benchmarks/growth.py measures that redaction grows linearly with the line.)"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codemod import redact
from codemod.redact import REDACTED, error_line, printable, redact_diff, redact_line, snippet

# (line, the secret in it, what must stay visible)
MASKED = [
    ("DEEPSEEK_API_KEY=sk-live-0a1b2c3d4e", "sk-live-0a1b2c3d4e", "DEEPSEEK_API_KEY="),
    ("DATABASE_URL=postgres://app:hunter2pw@db:5432/x", "hunter2pw", "postgres://app:"),
    ('DSN = "postgres://u:pydsnpw@h/db"; MODEL = "deepseek-chat"', "pydsnpw", 'MODEL = "deepseek-chat"'),
    ('client = OpenAI(api_key="plainkey123", model="deepseek-chat")', "plainkey123", 'model="deepseek-chat"'),
    ('MODEL = "deepseek-chat"  # token: trailing0tok', "trailing0tok", 'MODEL = "deepseek-chat"'),
    ('x = "deepseek-chat"  # the password is prosepw9', "prosepw9", 'x = "deepseek-chat"'),
    ("model: deepseek-chat  # api_key: yamlcomment1", "yamlcomment1", "model: deepseek-chat"),
    ("llm: {model: deepseek-chat, api_key: yamlflow1}", "yamlflow1", "model: deepseek-chat,"),
    ('{"model": "deepseek-chat", "api_key": "jsonkey1", "db": "mysql://r:jsondsn1@h/d"}', "jsondsn1", '"model": "deepseek-chat"'),
    ('{"model": "deepseek-chat", "api_key": "jsonkey1"}', "jsonkey1", '"model": "deepseek-chat"'),
    ('api_key: str = "annotated1"', "annotated1", "api_key: "),
    ('DEEPSEEK_API_KEY = os.getenv("DEEPSEEK_API_KEY", "sk-default0key")', "sk-default0key", "DEEPSEEK_API_KEY = "),
    ("api_key = os.environ.get('API_KEY', 'plain0default')", "plain0default", "api_key = "),
    ('x = os.getenv("DEEPSEEK_API_KEY", "plain1default")', "plain1default", 'os.getenv("DEEPSEEK_API_KEY", '),
    ('OpenAI(api_key=os.getenv("K", "plain2default"), model="deepseek-chat")', "plain2default", 'model="deepseek-chat"'),
    ('api_key = os.environ.get("K") or "plain3fallback"', "plain3fallback", 'os.environ.get("K") or '),
    ('OpenAI(api_key=os.environ["K"] if x else "plain4fallback", model="deepseek-chat")', "plain4fallback", 'model="deepseek-chat"'),
    ('token = settings.get("token", "plain5default")', "plain5default", "token = "),
    ('self.api_key = api_key or "plain6fallback"  # deepseek-chat', "plain6fallback", "# deepseek-chat"),
    ('headers = {"Authorization": "Bearer bearer0tok", "model": "deepseek-chat"}', "bearer0tok", '"model": "deepseek-chat"'),
    ("Authorization: Bearer bare0bearer", "bare0bearer", "Authorization: Bearer "),
    ("aider --model deepseek/deepseek-chat --password flagpw1 --api-key=flagkey1", "flagpw1", "--model deepseek/deepseek-chat"),
    ("aider --api-key=flagkey1 --model deepseek/deepseek-chat", "flagkey1", "--model deepseek/deepseek-chat"),
    ("DB_PASS=two words here", "two words here", "DB_PASS="),
    ("export DB_PASSWORD=hunter2 # rotated", "hunter2", "# rotated"),
    ('password = "a, b"  # deepseek-chat', "a, b", "# deepseek-chat"),
    ('token = "unclosed quote, runs on', "unclosed quote", "token = "),
    ("url = 'https://ghp_abcdefghijklmnopqrstuvwxyz0123@github.com/x'", "ghp_abcdefghijklmnopqrstuvwxyz0123", "@github.com/x"),
    ('x = "AbCdEf0123456789GhIjKlMnOpQrStUvWxYz"  # deepseek-chat', "AbCdEf0123456789GhIjKlMnOpQrStUvWxYz", "# deepseek-chat"),
    ("sha = 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", "sha = "),
    ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig deepseek-chat", "eyJzdWIiOiIxMjM0NTY3ODkwIn0", "deepseek-chat"),
    ("KEY='-----BEGIN RSA PRIVATE KEY-----\\nMIIEpemline\\n-----END RSA PRIVATE KEY-----' x", "MIIEpemline", "KEY="),
    ('"text": ["api_key=nbout1 deepseek-chat\\n"]', "nbout1", "deepseek-chat"),
]


@pytest.mark.parametrize("line, secret, kept", MASKED)
def test_a_secret_is_masked_and_the_rest_of_the_line_kept(line, secret, kept):
    masked = redact_line(line)
    assert secret not in masked
    assert REDACTED in masked
    assert kept in masked


# Lines that hold no secret come out as they went in: the diff stays readable.
UNCHANGED = [
    'MODEL = os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")',
    'client.chat.completions.create(model="deepseek-v4-flash", extra_body={"thinking": {"type": "disabled"}})',
    'client = OpenAI(api_key=os.environ["DEEPSEEK_API_KEY"], model="deepseek-chat")',
    "api_key = os.getenv('DEEPSEEK_API_KEY')",
    'DEEPSEEK_API_KEY = os.getenv("DEEPSEEK_API_KEY", "")',
    "api_key = os.environ.get('DEEPSEEK_API_KEY', None)",
    "DEEPSEEK_API_KEY: ${{ secrets.DEEPSEEK_API_KEY }}",
    "OPENAI_API_KEY=${OPENAI_API_KEY}",
    '{"auth": {"model": "deepseek-chat"}}',
    "max_tokens=1024, model='deepseek-chat'",
    'author = "Jane"',
    "if key is not None:",
    "if token is None: return",
    "TestPython313CompatibilityHelperClass = 'deepseek-chat'",
    "DEEPSEEK_REASONER_MODEL_FOR_TESTS_2024=deepseek-reasoner",
    "see https://api.deepseek.com/v1 and ssh://git@github.com/x",
    "CHAT_MODEL=deepseek-chat",
]


@pytest.mark.parametrize("line", UNCHANGED)
def test_a_line_without_a_secret_is_unchanged(line):
    assert redact_line(line) == line


def test_an_error_line_keeps_a_path_that_looks_like_a_key():
    line = "app/auth.py: syntax error at line 3; see postgres://u:errpw@h/db"
    assert error_line(line) == "app/auth.py: syntax error at line 3; see postgres://u:<redacted>@h/db"
    assert error_line("secrets.yaml: YAML error\n::error::x") == "secrets.yaml: YAML error\\n::error::x"
    assert redact_line("config/secrets.yaml: YAML error") != "config/secrets.yaml: YAML error"  # why errors differ
    assert error_line("pyproject.toml: api_key = 'confsecret1' is no setting") == "pyproject.toml: api_key = <redacted> is no setting"


def test_masking_is_idempotent():
    for line, _, _ in MASKED:
        once = redact_line(line)
        assert redact_line(once) == once


_SECRET = st.text(alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters="-_./+!@$%^&*"),
                  min_size=6, max_size=40).filter(lambda s: s.strip("-_./+!@$%^&*") != "")
_FORMS = [
    "{k}={s}",
    "export {k}={q}{s}{q}  # deepseek-chat",
    '{{"{k}": "{s}", "model": "deepseek-chat"}}',
    "{k}: {q}{s}{q}",
    'client = OpenAI({k}="{s}", model="deepseek-chat")',
    "model: deepseek-chat  # {k}: {s}",
    "run --{k} {s} --model deepseek-chat",
    "postgres://user:{s}@db.example.com/app deepseek-chat",
]


@settings(max_examples=300, deadline=None)
@given(
    secret=_SECRET,
    key=st.sampled_from(["api_key", "DEEPSEEK_API_KEY", "token", "GH_TOKEN", "client_secret", "password", "DB_PASS", "dsn",
                         "auth", "x-api-key", "passwd", "AccessKey"]),
    quote=st.sampled_from(["", "'", '"']),
    form=st.sampled_from(_FORMS),
)
def test_no_secret_value_survives_and_the_model_id_stays(secret, key, quote, form):
    if form.startswith("postgres"):
        secret = secret.replace("@", "").replace("/", "") or "pw"
    line = form.format(k=key, s=secret, q=quote)
    masked = redact_line(line)
    assert secret not in masked, (line, masked)
    if "deepseek-chat" in line:
        assert "deepseek-chat" in masked, (line, masked)


def test_a_long_line_is_cut_to_a_window_around_the_finding():
    line = "    " + "x = 1; " * 100 + 'MODEL = "deepseek-chat"; ' + "y = 2; " * 100
    column = line.index("deepseek-chat")
    shown = snippet(line, column)
    assert "deepseek-chat" in shown
    assert shown.startswith(redact.ELLIPSIS) and shown.endswith(redact.ELLIPSIS)
    assert len(shown) <= redact.MAX_SNIPPET + 2


def test_a_window_never_shows_the_value_of_a_key_it_cuts_off():
    # the window starts inside the value of api_key: it is masked on the whole line first
    line = '{"api_key": "' + "s" * 150 + "WINDOWSECRET" + "s" * 150 + '", "model": "deepseek-chat"}'
    shown = snippet(line, line.index("deepseek-chat"))
    assert "WINDOWSECRET" not in shown and "sss" not in shown
    assert "deepseek-chat" in shown


def test_the_window_follows_the_finding_past_masked_spans():
    line = "".join(f'"api_key{i}": "{"v" * 50}", ' for i in range(20)) + '"model": "deepseek-chat", ' + "z" * 400
    shown = snippet(line, line.index("deepseek-chat"))
    assert "deepseek-chat" in shown and "vvv" not in shown


def test_printable_escapes_what_could_end_or_restyle_a_line():
    assert printable("a\nb") == "a\\nb"
    assert printable("a\r\n::error::x") == "a\\r\\n::error::x"
    assert printable("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m"
    assert printable("left\u202eright\u2028next\x85") == "left\\u202eright\\u2028next\\x85"
    assert printable("caf\udce9.py") == "caf\\xe9.py"  # a surrogate-escaped byte of a non-UTF-8 name
    assert printable("tab\tand é ✓") == "tab\tand é ✓"


def test_a_diff_is_masked_line_by_line_with_its_prefixes():
    diff = (
        "--- a/.env\n+++ b/.env\n@@ -1,3 +1,3 @@\n"
        " DEEPSEEK_API_KEY=sk-diffkey000\n"
        "-CHAT_MODEL=deepseek-chat\n"
        "+CHAT_MODEL=deepseek-v4-flash\n"
        " DATABASE_URL=postgres://u:diffpw@h/db\r\n"
        "\\ No newline at end of file\n"
    )
    masked = redact_diff(diff)
    assert "sk-diffkey000" not in masked and "diffpw" not in masked
    assert "-CHAT_MODEL=deepseek-chat\n+CHAT_MODEL=deepseek-v4-flash\n" in masked
    assert masked.startswith("--- a/.env\n+++ b/.env\n@@ -1,3 +1,3 @@\n DEEPSEEK_API_KEY=<redacted>\n")
    assert " DATABASE_URL=postgres://u:<redacted>@h/db\r\n\\ No newline at end of file\n" in masked


def test_a_private_key_block_across_lines_of_a_diff_is_masked_whole():
    body = ["MIIEowIBAAKCAQEAzz1", "pemsecondlinelowercaseonly", "shortline"]
    diff = ("--- a/k.py\n+++ b/k.py\n@@ -1,6 +1,6 @@\n"
            ' KEY = """-----BEGIN RSA PRIVATE KEY-----\n'
            + "".join(f" {line}\n" for line in body)
            + ' -----END RSA PRIVATE KEY-----"""\n'
            "-MODEL = 'deepseek-chat'\n+MODEL = 'deepseek-v4-flash'\n")
    masked = redact_diff(diff)
    for line in body:
        assert line not in masked
    assert "-MODEL = 'deepseek-chat'\n+MODEL = 'deepseek-v4-flash'\n" in masked
    assert ' -----END RSA PRIVATE KEY-----"""\n' in masked


def test_a_header_with_an_escape_sequence_is_escaped():
    assert redact_diff("--- a/x\x1b[2Jy.py\n+++ b/x\x1b[2Jy.py\n").splitlines()[0] == "--- a/x\\x1b[2Jy.py"


def test_lines_of_source_are_masked_with_their_line_breaks():
    text = 'import os\r\nKEY = "sk-live-text0a1b2c3d"\nMODEL = os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")\n'
    masked = redact.redact_text(text)
    assert masked == 'import os\r\nKEY = <redacted>\nMODEL = os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")\n'
    assert redact.redact_text("a = 1\nb = 2") == "a = 1\nb = 2"

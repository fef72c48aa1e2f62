"""Every ``aws ...`` line in the notebooks' ```bash blocks names a real operation and real options.

No AWS CLI is installed, so each command is checked against botocore's service model the way the
AWS CLI builds its parser from it (``awscli/clidriver.py``):

- ``aws <service> <operation>``: the service command is botocore's service name; the operation
  command is ``xform_name(OperationName, "-")``;
- each input member ``Member`` is the option ``--<xform_name(Member, "-")>``; a boolean member is a
  flag, with a ``--no-`` form too; a list member takes one or more values; any other member takes
  exactly one value (shorthand or JSON);
- the input shape's required members must be given, except idempotency tokens (the CLI fills them
  in) and when ``--cli-input-json`` supplies the values;
- an operation whose output has a streaming payload takes one positional argument, the file to
  write it to (``awscli/customizations/streamingoutputarg.py``: ``aws lambda invoke ... out.json``);
- global options are accepted anywhere, and the few documented CLI customizations that add an
  option the model lacks are listed in ``CUSTOMIZATIONS`` below.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import botocore.session
import pytest
from botocore import xform_name

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
# The notebooks that must show at least one CLI equivalent (00 and 06 may, but need not).
MUST_HAVE_CLI = ("01", "02", "03", "04", "05", "99")
MIN_COMMANDS = 20

FENCE_OPEN = re.compile(r"```(?:bash|sh|shell)\s*")
SHELL_OPERATORS = {";", "&&", "||", "|", "&"}
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
# An aws call we would not see as a command of its own: inside $(...) or backticks.
HIDDEN_AWS = re.compile(r"(?:\$\(|`)\s*aws\b")

FLAG, ONE, MANY = "flag", "one", "many"  # how many values an option takes: 0, 1, 1 or more


@dataclass(frozen=True)
class Option:
    member: str | None  # the input member it sets; None for a global option
    nargs: str  # FLAG, ONE or MANY


# Global options (``aws help``), accepted before the service or after the operation.
GLOBAL_OPTIONS: dict[str, Option] = {
    **{
        name: Option(None, ONE)
        for name in (
            "--region",
            "--endpoint-url",
            "--output",
            "--query",
            "--profile",
            "--cli-binary-format",
            "--cli-input-json",
            "--color",
            "--page-size",
            "--max-items",
            "--starting-token",
        )
    },
    **{
        name: Option(None, FLAG)
        for name in ("--debug", "--no-cli-pager", "--no-verify-ssl", "--no-paginate")
    },
}

# Documented AWS CLI customizations adding an option that the service model does not have, keyed
# by (service command, operation command). The option's ``member`` is the required input member it
# stands in for. Keep this minimal: each entry needs a reason.
#
# Not needed here, because the generic rules cover them:
# - ``lambda update-function-code --zip-file``: ``ZipFile`` is a top-level member of
#   UpdateFunctionCodeRequest, so ``--zip-file`` is a plain model option;
# - ``lambda invoke ... outfile``: Invoke's output has a streaming payload, and the CLI adds the
#   positional ``outfile`` to every such operation (see ``positionals``);
# - apigateway: none of the options used in the notebooks is a customization.
CUSTOMIZATIONS: dict[tuple[str, str], dict[str, Option]] = {
    # The CLI hoists Code.ZipFile to a top-level ``--zip-file fileb://f.zip`` (awscli
    # customizations/awslambda.py; its help: "Specify --zip-file or --code, but not both"), so
    # ``--zip-file`` satisfies the required ``Code``.
    ("lambda", "create-function"): {"--zip-file": Option("Code", ONE)},
}


# --- extracting the commands -----------------------------------------------------------------


@dataclass(frozen=True)
class CliLine:
    notebook: str  # file name, e.g. 03_api_and_key.ipynb
    cell: str  # the markdown cell's id (nbformat 4.5), else its 0-based index
    line: int  # line of the cell's source where the command starts (1-based)
    argv: tuple[str, ...]

    @property
    def where(self) -> str:
        return f"{self.notebook}, cell {self.cell}, line {self.line}"

    @property
    def text(self) -> str:
        return shlex.join(self.argv)


def shell_lines(source: str) -> Iterator[tuple[int, str]]:
    """(line number, logical line) of each line inside a ```bash block, continuations joined."""
    in_block = False
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(source.splitlines(), 1):
        stripped = raw.strip()
        if not in_block:
            in_block = FENCE_OPEN.fullmatch(stripped) is not None
            continue
        if stripped.startswith("```"):
            in_block = False
            if pending:
                yield start, " ".join(pending)
                pending = []
            continue
        if not pending:
            start = number
        text = raw.rstrip()
        if text.endswith("\\") and not text.endswith("\\\\"):
            pending.append(text[:-1])
            continue
        pending.append(text)
        yield start, " ".join(pending)
        pending = []
    if pending:
        yield start, " ".join(pending)


def aws_commands(line: str) -> list[tuple[str, ...]]:
    """The ``aws ...`` simple commands of one logical shell line (others, like ``zip``, skipped).

    Values stay as written: ``"$POOL_ID"`` is the opaque word ``$POOL_ID``.
    """
    commands = []
    current: list[str] = []
    for token in [*shlex.split(line, comments=True), ";"]:
        if token not in SHELL_OPERATORS:
            current.append(token)
            continue
        words = list(itertools.dropwhile(ASSIGNMENT.match, current))  # FOO=bar aws ...
        if words and words[0] == "aws":
            commands.append(tuple(words))
        current = []
    return commands


def markdown_cells(path: Path) -> Iterator[tuple[str, str]]:
    """(cell id, source) of each markdown cell."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "markdown":
            source = cell["source"]
            yield str(cell.get("id", index)), source if isinstance(source, str) else "".join(source)


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def collect() -> tuple[list[CliLine], list[str]]:
    """Every aws command in the notebooks, and every line hiding one where we cannot check it."""
    found, hidden = [], []
    for path in notebook_paths():
        for cell, source in markdown_cells(path):
            for number, line in shell_lines(source):
                if HIDDEN_AWS.search(line):
                    hidden.append(f"{path.name}, cell {cell}, line {number}: {line.strip()}")
                for argv in aws_commands(line):
                    found.append(CliLine(path.name, cell, number, argv))
    return found, hidden


CLI_LINES, HIDDEN_LINES = collect()


# --- checking one command --------------------------------------------------------------------


@cache
def session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def cli_services() -> dict[str, str]:
    """CLI service command -> botocore service name.

    The CLI registers one command per ``session.get_available_services()`` name, under that same
    name (cognito-idp, iam, lambda, apigateway, sts, logs, ...).
    """
    return {name: name for name in session().get_available_services()}


@cache
def cli_operations(service: str) -> dict[str, str]:
    """CLI operation command -> botocore operation name, e.g. create-user-pool -> CreateUserPool."""
    model = session().get_service_model(service)
    return {xform_name(name, "-"): name for name in model.operation_names}


def operation_model(service: str, operation: str):
    return session().get_service_model(service).operation_model(operation)


@cache
def operation_options(cli_service: str, cli_operation: str) -> dict[str, Option]:
    """Every option ``aws <cli_service> <cli_operation>`` accepts."""
    service = cli_services()[cli_service]
    op = operation_model(service, cli_operations(service)[cli_operation])
    table = dict(GLOBAL_OPTIONS)
    if op.input_shape is not None:
        for member, shape in op.input_shape.members.items():
            name = xform_name(member, "-")
            if shape.type_name == "boolean":
                table[f"--{name}"] = Option(member, FLAG)
                table[f"--no-{name}"] = Option(member, FLAG)
            elif shape.type_name == "list":
                table[f"--{name}"] = Option(member, MANY)
            else:
                table[f"--{name}"] = Option(member, ONE)
    table.update(CUSTOMIZATIONS.get((cli_service, cli_operation), {}))
    return table


def positionals(service: str, operation: str) -> list[str]:
    """The positional arguments the CLI adds: ``outfile`` for a streaming output payload."""
    return ["outfile"] if operation_model(service, operation).has_streaming_output else []


def unknown_option(name: str, options: dict[str, Option], members: dict) -> str:
    if name.startswith("--no-"):
        for member, shape in members.items():
            if xform_name(member, "-") == name[len("--no-") :]:
                return (
                    f"{name}: {member} is a {shape.type_name}, "
                    "only a boolean member has a --no- form"
                )
    close = difflib.get_close_matches(name, options, n=3)
    return f"unknown option {name}" + (f" (did you mean {', '.join(close)}?)" if close else "")


def take_value(argv: Sequence[str], i: int, name: str, errors: list[str]) -> int:
    """Index after the one value of option ``name`` at argv[i - 1]."""
    if i < len(argv) and not argv[i].startswith("--"):
        return i + 1
    errors.append(f"{name} needs a value")
    return i


def check_command(argv: Sequence[str]) -> list[str]:
    """What is wrong with ``aws ...`` argv by the service model; empty when nothing is."""
    if not argv or argv[0] != "aws":
        return ["not an aws command"]
    errors: list[str] = []
    i = 1
    while i < len(argv) and argv[i].startswith("--"):  # global options before the service
        name, has_inline, _ = argv[i].partition("=")
        option = GLOBAL_OPTIONS.get(name)
        i += 1
        if option is None:
            errors.append(f"unknown global option {name}")
        elif option.nargs == ONE and not has_inline:
            i = take_value(argv, i, name, errors)
    if len(argv) < i + 2:
        return [*errors, "expected `aws <service> <operation>`"]
    cli_service, cli_operation = argv[i], argv[i + 1]
    service = cli_services().get(cli_service)
    if service is None:
        close = difflib.get_close_matches(cli_service, cli_services(), n=3)
        return [*errors, f"unknown service {cli_service}" + (f" (close: {close})" if close else "")]
    operation = cli_operations(service).get(cli_operation)
    if operation is None:
        close = difflib.get_close_matches(cli_operation, cli_operations(service), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        return [*errors, f"unknown operation {cli_service} {cli_operation}{hint}"]

    options = operation_options(cli_service, cli_operation)
    input_shape = operation_model(service, operation).input_shape
    members = dict(input_shape.members) if input_shape is not None else {}
    given: set[str] = set()
    seen: set[str] = set()
    extra: list[str] = []
    rest = argv[i + 2 :]
    j = 0
    while j < len(rest):
        token = rest[j]
        j += 1
        if not token.startswith("--"):
            extra.append(token)
            continue
        name, has_inline, _ = token.partition("=")
        if name in seen:
            errors.append(f"{name} given twice")
        seen.add(name)
        option = options.get(name)
        if option is None:
            errors.append(unknown_option(name, options, members))
            while j < len(rest) and not rest[j].startswith("--"):  # skip its values, if any
                j += 1
            continue
        if option.member is not None:
            given.add(option.member)
        if option.nargs == FLAG:
            if has_inline:
                errors.append(f"{name} is a flag and takes no value")
        elif has_inline:
            pass
        elif option.nargs == ONE:
            j = take_value(rest, j, name, errors)
        else:
            first = j
            while j < len(rest) and not rest[j].startswith("--"):
                j += 1
            if j == first:
                errors.append(f"{name} needs at least one value")

    wanted = positionals(service, operation)
    if len(extra) > len(wanted):
        errors.append(f"unexpected positional argument(s) {extra[len(wanted) :]}")
    elif len(extra) < len(wanted):
        errors.append(f"missing positional argument(s) {wanted[len(extra) :]}")

    if "--cli-input-json" not in seen and input_shape is not None:
        for member in input_shape.required_members:
            if member in given or members[member].metadata.get("idempotencyToken"):
                continue
            spelled = sorted(name for name, opt in options.items() if opt.member == member)
            errors.append(f"missing required {member} ({' or '.join(spelled)})")
    return errors


# --- the notebooks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cli",
    CLI_LINES,
    ids=[
        f"{c.notebook.removesuffix('.ipynb')}:{c.cell}:L{c.line}:{' '.join(c.argv[1:3])}"
        for c in CLI_LINES
    ],
)
def test_cli_line_matches_service_model(cli: CliLine) -> None:
    errors = check_command(cli.argv)
    assert not errors, f"{cli.where}: {cli.text}\n" + "\n".join(f"  - {e}" for e in errors)


def test_cli_lines_are_found_in_every_notebook() -> None:
    assert len(CLI_LINES) >= MIN_COMMANDS, f"only {len(CLI_LINES)} aws commands found"
    prefixes = {cli.notebook[:2] for cli in CLI_LINES}
    missing = [p for p in MUST_HAVE_CLI if p not in prefixes]
    assert not missing, f"no aws command in notebook(s) {missing}"
    names = {path.name[:2] for path in notebook_paths()}
    assert set(MUST_HAVE_CLI) <= names, f"notebooks missing: {set(MUST_HAVE_CLI) - names}"
    assert not HIDDEN_LINES, "aws inside $(...) or `...` is not checked: " + "; ".join(HIDDEN_LINES)


# --- the checker itself ----------------------------------------------------------------------

BRIEF_EXAMPLE = """\
Create the app client:

```bash
zip -j hello.zip handler.py
aws cognito-idp create-user-pool-client --user-pool-id "$POOL_ID" --client-name simple-api-client \\
    --no-generate-secret \\
    --explicit-auth-flows ALLOW_ADMIN_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH
POOL_ID=p aws sts get-caller-identity && echo done  # comment
```

```python
aws = "not shell"
```
"""


def test_extraction_joins_continuations_keeps_variables_and_skips_other_commands() -> None:
    lines = list(shell_lines(BRIEF_EXAMPLE))
    assert [number for number, _ in lines] == [4, 5, 8]
    commands = [argv for _, line in lines for argv in aws_commands(line)]
    assert commands == [
        (
            "aws",
            "cognito-idp",
            "create-user-pool-client",
            "--user-pool-id",
            "$POOL_ID",
            "--client-name",
            "simple-api-client",
            "--no-generate-secret",
            "--explicit-auth-flows",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ),
        ("aws", "sts", "get-caller-identity"),
    ]
    assert HIDDEN_AWS.search("POOL_ID=$(aws cognito-idp list-user-pools --max-results 1)")


@pytest.mark.parametrize(
    "line",
    [
        'aws cognito-idp create-user-pool-client --user-pool-id "$POOL_ID" '
        "--client-name simple-api-client --no-generate-secret "
        "--explicit-auth-flows ALLOW_ADMIN_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH",
        "aws cognito-idp create-user-pool --pool-name p",
        "aws cognito-idp create-user-pool --cli-input-json file://pool.json",
        "aws --region us-east-1 sts get-caller-identity --output text --query Account",
        'aws apigateway get-resources --rest-api-id "$API_ID"',
        "aws apigateway update-method --rest-api-id a --resource-id r --http-method GET "
        "--patch-operations op=replace,path=/apiKeyRequired,value=false op=remove,path=/x",
        "aws apigateway put-method --rest-api-id a --resource-id r --http-method GET "
        "--authorization-type NONE --no-api-key-required",
        "aws lambda create-function --function-name f --role r --zip-file fileb://f.zip",
        "aws lambda update-function-code --function-name f --zip-file fileb://f.zip",
        "aws lambda invoke --function-name f --payload '{}' out.json",
        "aws logs delete-log-group --log-group-name=/aws/lambda/f",
    ],
)
def test_checker_accepts_good_lines(line: str) -> None:
    assert check_command(shlex.split(line)) == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("aws cognito-idp create-pool --pool-name p", "unknown operation cognito-idp create-pool"),
        ("aws cognito create-user-pool --pool-name p", "unknown service cognito"),
        ("aws cognito-idp create-user-pool --pool p", "unknown option --pool"),
        ("aws cognito-idp create-user-pool --pool p", "missing required PoolName (--pool-name)"),
        (
            "aws cognito-idp create-user-pool-client --client-name c",
            "missing required UserPoolId (--user-pool-id)",
        ),
        (
            "aws cognito-idp create-user-pool-client --user-pool-id p --no-client-name",
            "--no-client-name: ClientName is a string, only a boolean member has a --no- form",
        ),
        ("aws iam delete-role --role-name", "--role-name needs a value"),
        ("aws iam delete-role --role-name a b", "unexpected positional argument(s) ['b']"),
        ("aws iam delete-role --role-name a --role-name b", "--role-name given twice"),
        ("aws lambda invoke --function-name f", "missing positional argument(s) ['outfile']"),
        ("aws lambda create-function --function-name f --role r", "missing required Code"),
        ("aws lambda delete-function --function-name f --zip-file fileb://f.zip", "--zip-file"),
        ("aws apigateway create-api-key --enabled=true", "--enabled is a flag"),
        ("aws --regoin us-east-1 sts get-caller-identity", "unknown global option --regoin"),
    ],
)
def test_checker_rejects_bad_lines(line: str, expected: str) -> None:
    errors = check_command(shlex.split(line))
    assert any(expected in error for error in errors), errors

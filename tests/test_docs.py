"""The project's own record of AWS behaviour: every citation of it points at a section that
exists, and every section names its sources."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

THIS = Path(__file__).resolve()
ROOT = THIS.parents[1]
DOC = ROOT / "docs" / "aws-behavior.md"
CITATION = re.compile(r"docs/aws-behavior\.md((?:#[a-z0-9-]+)?)")
#: a later anchor in the same citation ("#gateway-errors and #iam", "from #x to #y")
FOLLOWING = re.compile(r"^[^.\n]{0,40}?(?:\band\b|\bto\b|,)\s*(#[a-z0-9-]+)")


def anchors() -> set[str]:
    """GitHub's anchors of the doc's headings."""
    found = set()
    for line in DOC.read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add("#" + re.sub(r"[^a-z0-9 -]", "", title).replace(" ", "-"))
    return found


def project_files() -> list[Path]:
    """The repository's files, committed or not, without what git ignores (.venv, .bench, …)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted(ROOT / name for name in listed.split("\0") if name and (ROOT / name).is_file())


def citations() -> list[tuple[str, str]]:
    cited = []
    for path in project_files():
        if path.suffix not in {".py", ".md", ".ipynb"} or path.relative_to(ROOT).parts[0] == "docs":
            continue
        text = path.read_text(errors="replace")
        for match in CITATION.finditer(text):
            cited.append((str(path.relative_to(ROOT)), match[1]))
            rest = text[match.end() :]
            while (more := FOLLOWING.match(rest)) is not None:
                cited.append((str(path.relative_to(ROOT)), more[1]))
                rest = rest[more.end() :]
    return cited


def test_the_doc_exists_and_cites_no_file_outside_the_repository():
    text = DOC.read_text()
    assert "shared/" not in text and "../" not in text


def test_every_citation_names_a_section_that_exists():
    known = anchors()
    cited = citations()
    assert len(cited) >= 20
    assert [(f, a) for f, a in cited if a and a not in known] == []


def test_the_code_cites_the_project_doc_not_a_file_it_does_not_have():
    stale = []
    for path in sorted([*ROOT.glob("localcloud/**/*.py"), *ROOT.glob("tests/**/*.py")]):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if path != THIS and "aws-behavior.md" in line and "docs/aws-behavior.md" not in line:
                stale.append(f"{path.relative_to(ROOT)}:{number}")
    assert stale == []


def test_no_code_cites_a_doc_the_repository_does_not_have():
    cited = re.compile(r"docs/[A-Za-z0-9_.-]+\.md")
    missing = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in [
            *ROOT.glob("localcloud/**/*.py"),
            *ROOT.glob("tests/**/*.py"),
            *ROOT.glob("helpers/**/*.py"),
            *ROOT.glob("tools/**/*.py"),
        ]  # fmt: skip
        if path != THIS
        for name in set(cited.findall(path.read_text()))
        if not (ROOT / name).exists()
    )
    assert missing == []


def test_every_rule_section_names_sources():
    sections = re.split(r"^## ", DOC.read_text(), flags=re.M)[1:]
    rules = [s for s in sections if not s.startswith(("Where the code lives",))]
    assert len(rules) >= 12
    for section in rules:
        assert "Source:" in section, section.splitlines()[0]

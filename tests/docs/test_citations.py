"""Citations point inside the repository (docs/design.md, "Keeping this page true").

- No tracked text file cites the design note that lived outside the repository: the design of record is
  docs/design.md.
- Every repository path, module and section that README.md and docs/*.md name exists: a path in backticks, in a
  code block or in prose that starts with a top-level folder of the repository (`docs/sow.md`,
  `supplier_models/store/`); a bare file name in backticks with a source extension (`VERSION.yaml`); a markdown
  link (`](docs/sow.md#the-survey-appendix-a)`, relative to the page, with its anchor); a module imported or run
  with `python -m`.
- Every section a tracked text file cites by page and quoted heading, as this docstring's first line does, is a
  heading of that page (docs/*.md or the README).

What the repository holds is what git tracks (`git ls-files`): a new file counts once it is added.
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
from collections import Counter
from functools import cache
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The note's file name, spelled in two parts so that this file does not cite it.
OUTSIDE_NOTE = "DESIGN" + ".md"

# Names the pages use for a file of the user's own, not of the repository.
NOT_REPOSITORY_FILES = {"RDE-3.yaml"}  # README: an organisation's own questionnaire

# A bare file name in backticks with one of these extensions names a file of the repository.
SOURCE_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".ini", ".html", ".css", ".csv", ".mako"}


@cache
def tracked() -> frozenset[str]:
    """The files git tracks that are on disk."""
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: citations are checked in the repository itself")
    return frozenset(f for f in out.decode("utf-8").split("\0") if f and (ROOT / f).is_file())


@cache
def folders() -> frozenset[str]:
    return frozenset(str(parent) for f in tracked() for parent in PurePosixPath(f).parents if str(parent) != ".")


@cache
def top_level_folders() -> tuple[str, ...]:
    return tuple(sorted({f.split("/", 1)[0] for f in tracked() if "/" in f}))


@cache
def basenames() -> frozenset[str]:
    return frozenset(PurePosixPath(f).name for f in tracked())


def exists(path: str) -> bool:
    path = path.rstrip("/")
    return path in tracked() or path in folders()


@cache
def ignore_patterns() -> tuple[str, ...]:
    text = (ROOT / ".gitignore").read_text("utf-8") if (ROOT / ".gitignore").is_file() else ""
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith(("#", "!")))


def ignored(path: str) -> bool:
    """Whether the repository's .gitignore ignores the path: an output (`bench/results.json`), not a repo file."""
    parts = path.rstrip("/").split("/")
    for pattern in ignore_patterns():
        p = pattern.strip("/")
        if "/" in pattern.rstrip("/"):  # anchored: matches from the top
            if any(fnmatch.fnmatchcase("/".join(parts[:i]), p) for i in range(1, len(parts) + 1)):
                return True
        elif any(fnmatch.fnmatchcase(part, p) for part in parts):
            return True
    return False


def text_of(path: str) -> str | None:
    data = (ROOT / path).read_bytes()
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def pages() -> list[str]:
    return sorted(f for f in tracked() if f == "README.md" or re.fullmatch(r"docs/[^/]+\.md", f))


# -- markdown ------------------------------------------------------------------------------------------------------
FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)


def without_code_blocks(text: str) -> str:
    """The text with its fenced code blocks blanked, lines kept (so positions give the same line numbers)."""
    return FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
INLINE_CODE = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
IMPORT = re.compile(r"\bfrom\s+([A-Za-z_][\w.]*)\s+import\b|^\s*import\s+([A-Za-z_][\w.]*)|\bpython3?\s+-m\s+([A-Za-z_][\w.]*)",
                    re.M)


def headings(text: str) -> list[str]:
    """A markdown page's headings, as written (code blocks left out)."""
    return [m.group(2).strip() for m in re.finditer(r"^(#{1,6})\s+(.+?)\s*#*\s*$", without_code_blocks(text), re.M)]


def anchors(text: str) -> set[str]:
    """The anchors GitHub gives a page's headings (lower case, punctuation dropped, spaces as hyphens, `-1` for a
    repeated heading)."""
    seen: Counter[str] = Counter()
    out = set()
    for heading in headings(text):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        out.add(slug if not seen[slug] else f"{slug}-{seen[slug]}")
        seen[slug] += 1
    return out


def section_titles(text: str) -> list[str]:
    """Headings as cited in prose: without backticks or a leading number (`2. Knockouts` is "Knockouts")."""
    return [re.sub(r"^\d+(\.\d+)*\.?\s+", "", h.replace("`", "")).casefold() for h in headings(text)]


def line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def path_references(page: str, text: str) -> list[tuple[int, str]]:
    """(line, path) of every repository path the page names, relative to the repository's root."""
    out: list[tuple[int, str]] = []
    tops = "|".join(re.escape(t) for t in top_level_folders())
    # Anything starting with a top-level folder, in code or prose; a pattern or placeholder is not a path.
    for m in re.finditer(rf"(?<![\w./@:~-])(?:{tops})/[^\s`'\"()\[\]|,;]*", text):
        path = m.group(0).rstrip(".:")
        if not re.search(r"[*?{}<>$=]", path):
            out.append((line_of(text, m.start()), path))
    # A bare file name in backticks.
    prose = without_code_blocks(text)
    for m in INLINE_CODE.finditer(prose):
        name = m.group(1).strip()
        if "/" not in name and " " not in name and PurePosixPath(name).suffix in SOURCE_SUFFIXES \
                and PurePosixPath(name).stem and name not in NOT_REPOSITORY_FILES:
            out.append((line_of(prose, m.start()), name))
    return sorted(set(out))


# -- the tests -------------------------------------------------------------------------------------------------------
def test_no_text_file_cites_the_design_note_outside_the_repository():
    citing = []
    for path in sorted(tracked()):
        text = text_of(path)
        if text and OUTSIDE_NOTE in text:
            citing += [f"{path}:{n}" for n, line in enumerate(text.splitlines(), 1) if OUTSIDE_NOTE in line]
    assert not citing, (f"these cite {OUTSIDE_NOTE}, which is not in the repository: cite docs/design.md (or "
                        "docs/contracts.md for a contract) instead:\n" + "\n".join(citing))


def test_every_repository_path_the_readme_and_docs_name_exists():
    missing = []
    for page in pages():
        text = (ROOT / page).read_text("utf-8")
        for line, path in path_references(page, text):
            if "/" not in path:  # a bare name: some file of the repository has it
                if path not in basenames():
                    missing.append(f"{page}:{line}: `{path}` (no file of that name)")
            elif not exists(path) and not ignored(path):
                missing.append(f"{page}:{line}: {path}")
    assert not missing, "paths that are not in the repository (git ls-files):\n" + "\n".join(missing)


def resolve(page: str, target: str) -> str | None:
    """A link's file, relative to the repository's root (None: outside it)."""
    parts: list[str] = []
    for part in (PurePosixPath(page).parent / target).parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def test_every_markdown_link_of_the_readme_and_docs_resolves():
    broken = []
    for page in pages():
        text = (ROOT / page).read_text("utf-8")
        prose = without_code_blocks(text)
        for m in LINK.finditer(prose):
            target = m.group(1)
            if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("/"):
                continue  # a URL, or a path of the web app
            file, _, anchor = target.partition("#")
            where = f"{page}:{line_of(prose, m.start())}: ]({target})"
            resolved = resolve(page, file) if file else page
            if resolved is None:
                broken.append(f"{where}: outside the repository")
            elif not exists(resolved):
                broken.append(f"{where}: {resolved} is not in the repository")
            elif anchor and resolved.endswith(".md") and anchor not in anchors((ROOT / resolved).read_text("utf-8")):
                broken.append(f"{where}: {resolved} has no heading #{anchor}")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_every_module_the_readme_and_docs_import_exists():
    packages = {f.split("/", 1)[0] for f in tracked() if f.endswith("/__init__.py") and f.count("/") == 1}
    missing = []
    for page in pages():
        text = (ROOT / page).read_text("utf-8")
        for m in IMPORT.finditer(text):
            module = next(g for g in m.groups() if g).rstrip(".")
            if module.split(".")[0] not in packages:
                continue  # the standard library or a dependency
            base = module.replace(".", "/")
            if f"{base}.py" not in tracked() and f"{base}/__init__.py" not in tracked():
                missing.append(f"{page}:{line_of(text, m.start())}: {module}")
    assert not missing, "modules that are not in the repository:\n" + "\n".join(missing)


# A page, then a comma or a space (a comment's `#` may start the next line), then the heading in double quotes:
# `docs/design.md, "Where it runs"`, `README, "Flows and Prefect"`, `the README's ("A team's deployment")`.
SECTION_CITATION = re.compile(r"(docs/[\w.-]+\.md|README(?:\.md)?)`?(?:'s)?(?:,\s*|\s+)(?:#\s*)?\(?\"([A-Z`][^\"\n]*)\"")


def test_every_cited_section_is_a_heading_of_its_page():
    unknown = []
    for path in sorted(tracked()):
        text = text_of(path)
        if not text or ("docs/" not in text and "README" not in text):
            continue
        for m in SECTION_CITATION.finditer(text):
            page, section = m.group(1), m.group(2).replace("`", "").casefold()
            page = "README.md" if page.startswith("README") else page
            if page not in tracked():
                unknown.append(f"{path}:{line_of(text, m.start())}: {page} is not in the repository")
                continue
            titles = section_titles((ROOT / page).read_text("utf-8"))
            if not any(t == section or t.startswith((section + ":", section + " (")) for t in titles):
                unknown.append(f'{path}:{line_of(text, m.start())}: {page} has no section "{m.group(2)}"')
    assert not unknown, "cited sections that do not exist:\n" + "\n".join(unknown)

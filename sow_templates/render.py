"""Render a SOW from a Word template, safely and fast, and store it only once verified.

Safety: the template is the organisation's; everything the vendor wrote is
data. Values go through Jinja with autoescape, are never re-parsed as
template code, and lose the few characters XML cannot carry. A template may
name only `SowContext` fields (anything else, even an attribute typo, is an
error instead of silently empty text) and must loop over `clauses`.

Speed: docxtpl re-reads the .docx, re-patches its XML with a few dozen
regular expressions and recompiles the Jinja template on every render
(docxtpl issue #110), and a `DocxTemplate` cannot be rendered twice (#381,
#394). Here the template file is read, patched (with docxtpl's own
`patch_xml`) and compiled once per content hash; each render fills the
compiled template and writes a fresh zip from the cached parts.
"""

from __future__ import annotations

import copy
import hashlib
import io
import os
import re
import secrets
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta, nodes
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from pydantic import BaseModel, ConfigDict

from scoring.models import Decision
from supplier_models.errors import SowError, TemplateError

from .context import SowContext, clean_text
from .verify import verify_document

DEFAULT_TEMPLATE = Path(__file__).parent / "templates" / "default-sow.docx"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_BODY_MARK = "FAIRSOURCE-BODY"
_CACHE_SIZE = 16
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_LISTING_CHARS = re.compile("[\t\n\a\f]")
_CELL_TAGS = re.compile(r"\{%-?\s*(tc\s|hm\s*-?%\}|colspan\s|cellbg\s)")

CLAUSE_LOOP_HINT = (
    "add the clause list to the template, for example these four paragraphs:\n"
    "    {%p for clause in clauses %}\n"
    "    {{ clause.index }}. {{ clause.title }}\n"
    "    {{ clause.text }}\n"
    "    {%p endfor %}\n"
    "(see docs/sow.md)"
)

# docxtpl's XML patching and listing helpers use no instance state; one bare instance serves all.
_DOCXTPL = DocxTemplate.__new__(DocxTemplate)
_DOCXTPL.docx = None


class ClauseRef(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str
    version: str
    mandatory: bool


class RenderedSow(BaseModel):
    """The record of one stored SOW: what was written, from which template, with which clauses."""

    model_config = ConfigDict(frozen=True)
    path: Path
    sha256: str
    template_sha256: str
    template: str
    clause_library: str
    clauses: list[ClauseRef]
    decision: Decision
    reference: str = ""
    draft: bool = False


def _environment() -> SandboxedEnvironment:
    # autoescape: vendor text is escaped into XML text; StrictUndefined: a misspelt name is an error,
    # never empty text; the sandbox keeps template authors away from Python internals.
    # finalize: every printed value loses the characters XML cannot carry (hand-built contexts included).
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True,
                                finalize=lambda v: clean_text(v) if isinstance(v, str) else v)


@dataclass
class _Part:
    name: str  # zip entry name
    template: object  # compiled jinja Template
    is_body: bool
    prefix: str = ""
    suffix: str = ""
    fix_tables: bool = False  # the template loops over table cells ({%tc %}, hm, colspan)
    has_drawings: bool = False


@dataclass
class SowTemplate:
    """A Word template, checked and compiled; reused for every render of the same file content."""

    path: Path
    sha256: str
    base: bytes  # the template's zip without the parts that are rendered, compressed once
    parts: dict[str, _Part]
    variables: frozenset[str]
    env: SandboxedEnvironment = field(repr=False)

    def render_bytes(self, values: dict) -> bytes:
        """A new .docx: the unchanged entries copied as compressed bytes, the rendered parts appended."""
        rendered = {name: self._render_part(part, values) for name, part in self.parts.items()}
        out = io.BytesIO(self.base)
        out.seek(0, io.SEEK_END)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf:
            for name, data in rendered.items():
                zf.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
        return out.getvalue()

    def _render_part(self, part: _Part, values: dict) -> bytes:
        try:
            xml = part.template.render(values)
        except UndefinedError as exc:
            raise TemplateError(f"template {self.path.name}, part {part.name}: {exc.message}") from exc
        except JinjaTemplateError as exc:
            raise TemplateError(f"template {self.path.name}, part {part.name}: {exc}") from exc
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        if _LISTING_CHARS.search(xml):  # a value with a newline or tab: Word line breaks and tabs
            xml = _DOCXTPL.resolve_listing(xml)
        if part.is_body and not (part.fix_tables or part.has_drawings):
            # The body is parsed once, by the verifier reading the written file back (render_sow),
            # which reports invalid XML as `invalid_xml` below says.
            return (XML_DECLARATION + part.prefix + xml + part.suffix).encode("utf-8")
        try:
            tree = etree.fromstring(xml if part.is_body else xml.encode("utf-8"))
        except etree.XMLSyntaxError as exc:
            raise self.invalid_xml(part.name, exc) from exc
        if not part.is_body:
            return (XML_DECLARATION + etree.tostring(tree, encoding="unicode")).encode("utf-8")
        if part.fix_tables:
            _fix_tables(tree)
        if part.has_drawings:
            for n, el in enumerate(tree.iter(f"{{{WP_NS}}}docPr"), start=1001):  # unique drawing ids
                el.set("id", str(n))
        return (XML_DECLARATION + part.prefix + etree.tostring(tree, encoding="unicode") + part.suffix).encode("utf-8")

    def invalid_xml(self, part_name: str, exc: Exception) -> TemplateError:
        return TemplateError(
            f"template {self.path.name}, part {part_name} renders to invalid XML ({exc}); "
            "a tag probably splits a Word element: put {%p ...%}/{%tr ...%} tags on their own paragraph/row"
        )


def _fix_tables(tree) -> None:
    """docxtpl's fix_tables (column grid after {%tc %} loops), applied to an already-parsed tree."""
    if tree.find(f".//{{{W_NS}}}tbl") is None:
        return
    fixed = _DOCXTPL.fix_tables(etree.tostring(tree, encoding="unicode"))
    tree[:] = list(fixed)


def _protect_literal_braces(source: str) -> str:
    # docxtpl lets authors write {_{ for a literal {{ and turns it back *after* rendering, which would also
    # rewrite a vendor's text; here the template source itself gets Jinja string literals instead.
    for raw, literal in (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}")):
        source = source.replace(raw, '{{ "' + literal + '" }}')
    return source


def _related_parts(data: bytes) -> tuple[str, list[str]]:
    """The main document part and the header, footer, footnote parts, as zip entry names."""
    doc = Document(io.BytesIO(data))
    main = str(doc.part.partname).lstrip("/")
    others = []
    for rel in doc.part.rels.values():
        if rel.is_external:
            continue
        if rel.reltype in (RT.HEADER, RT.FOOTER, RT.FOOTNOTES, RT.ENDNOTES):
            others.append(str(rel.target_part.partname).lstrip("/"))
    return main, others


def _compile(path: Path, data: bytes, sha: str) -> SowTemplate:
    env = _environment()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        entries = [(info, zf.read(info.filename)) for info in zf.infolist()]
        main, others = _related_parts(data)
    except Exception as exc:  # not a zip, not a Word document: say so, whatever the library raised
        raise TemplateError(f"template {path} is not a readable Word .docx file: {exc}") from exc
    blobs = {info.filename: blob for info, blob in entries}
    sources: dict[str, tuple[str, bool, str, str]] = {}
    root = etree.fromstring(blobs[main])
    body = root.find(f"{{{W_NS}}}body")
    if body is None:
        raise TemplateError(f"template {path}: the document has no body")
    shell = copy.deepcopy(root)
    shell.replace(shell.find(f"{{{W_NS}}}body"), etree.Comment(_BODY_MARK))
    prefix, suffix = etree.tostring(shell, encoding="unicode").split(f"<!--{_BODY_MARK}-->")
    sources[main] = (etree.tostring(body, encoding="unicode"), True, prefix, suffix)
    for name in [*others, "docProps/core.xml"]:
        if name in blobs:
            sources[name] = (etree.tostring(etree.fromstring(blobs[name]), encoding="unicode"), False, "", "")

    parts: dict[str, _Part] = {}
    variables: set[str] = set()
    has_clause_loop = False
    for name, (xml, is_body, prefix, suffix) in sources.items():
        if not re.search(r"\{[{%#]", xml):
            continue
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", _protect_literal_braces(_DOCXTPL.patch_xml(xml)))
        try:
            ast = env.parse(source)
            compiled = env.from_string(ast)  # the tree parsed once serves both the compile and the checks below
        except TemplateSyntaxError as exc:
            snippet = re.sub(r"<[^>]+>", "", "\n".join(source.splitlines()[max(exc.lineno - 2, 0):exc.lineno + 1]))
            raise TemplateError(f"template {path}, part {name}: {exc.message} near: {snippet.strip()[:200]!r}") from exc
        variables |= meta.find_undeclared_variables(ast)
        has_clause_loop = has_clause_loop or any(
            isinstance(loop.iter, nodes.Name) and loop.iter.name == "clauses" for loop in ast.find_all(nodes.For)
        )
        plain = re.sub(r"<[^>]+>", "", xml)
        parts[name] = _Part(name=name, template=compiled, is_body=is_body, prefix=prefix, suffix=suffix,
                            fix_tables=bool(_CELL_TAGS.search(plain)), has_drawings="docPr" in xml)

    known = set(SowContext.model_fields) | set(env.globals)
    unknown = sorted(variables - known)
    if unknown:
        raise TemplateError(
            f"template {path} uses variable(s) fairsource does not provide: {', '.join(unknown)}. "
            f"Use only: {', '.join(sorted(SowContext.model_fields))} (see docs/sow.md)"
        )
    if not has_clause_loop:
        raise TemplateError(f"template {path} has no place for the clause list; {CLAUSE_LOOP_HINT}")
    base = io.BytesIO()
    with zipfile.ZipFile(base, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, blob in entries:
            if info.filename not in parts:
                zf.writestr(zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME), blob, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return SowTemplate(path=path, sha256=sha, base=base.getvalue(), parts=parts, variables=frozenset(variables),
                       env=env)


_cache: dict[str, SowTemplate] = {}
_cache_lock = threading.Lock()


def load_template(template: str | Path | None = None) -> SowTemplate:
    """Check and compile a Word template (the default one when None). Raises `TemplateError`
    for a template that names unknown variables or has no clause loop. Cached by content hash."""
    path = Path(template) if template is not None else DEFAULT_TEMPLATE
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TemplateError(f"template {path} cannot be read: {exc}") from exc
    sha = hashlib.sha256(data).hexdigest()
    with _cache_lock:
        cached = _cache.get(sha)
    if cached is not None:
        return cached
    compiled = _compile(path, data, sha)
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[sha] = compiled
    return compiled


def render_sow(context: SowContext, template: str | Path | None = None, out: str | Path | None = None) -> RenderedSow:
    """Render `context` into `out` (.docx) and verify it; the file appears at `out` only if every
    mandatory clause that applies is found in it (else `SowVerificationError`, and nothing is written)."""
    if out is None:
        raise SowError("render_sow needs `out`, the path of the .docx to write")
    out = Path(out)
    compiled = load_template(template)
    data = compiled.render_bytes(context.model_dump(mode="json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temp(out)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            verify_document(tmp, context)
        except etree.XMLSyntaxError as exc:
            raise compiled.invalid_xml(next(n for n, p in compiled.parts.items() if p.is_body), exc) from exc
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return RenderedSow(
        path=out,
        sha256=hashlib.sha256(data).hexdigest(),
        template_sha256=compiled.sha256,
        template=str(PurePosixPath(compiled.path.name)),
        clause_library=context.clause_library,
        clauses=[ClauseRef(id=c.id, version=c.version, mandatory=c.mandatory) for c in context.clauses],
        decision=context.decision,
        reference=context.reference,
        draft=context.draft,
    )


def _create_temp(out: Path) -> tuple[int, Path]:
    """A new temporary file next to `out`, created with mode 0o666 so that the process umask decides
    its permissions, as for any file the user writes (`tempfile.mkstemp` would make it 0600, and the
    SOW would keep that mode after the rename)."""
    for _ in range(100):
        tmp = out.parent / f".{out.name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileExistsError:
            continue
    raise SowError(f"cannot create a temporary file next to {out}")

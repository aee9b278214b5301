"""Evidence files on actions: what is accepted, decided by the file's content, never by its name.

An agency lead attaches evidence (a PDF, an Office document, plain text, a photo of a poster) to an action's trail.
Anything else could harm whoever opens it, so a file is accepted only when its content is one of ALLOWED_TYPES, its
name ends with an extension of that type (a text file named ``run.sh`` would still open as a script on a desktop),
it is no larger than ``settings.EVIDENCE_MAX_BYTES`` and the optional virus scanner (``settings.EVIDENCE_SCANNER``)
passes it. Every refusal is an ApplicationError on the ``evidence`` field: a 400 in the API, a form error on pages.

Detection uses ``filetype`` (pure Python, so the slim production image needs no libmagic) for the binary formats,
then checks what a header cannot: an Office file must be a real OOXML zip with ``[Content_Types].xml`` naming a
Word, Excel or PowerPoint document and no macros; text must be UTF-8 without NUL bytes, markup or a ``#!`` line.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.files import File
from django.utils.module_loading import import_string

from macfa.errors import ApplicationError

logger = logging.getLogger(__name__)

FIELD = "evidence"
TEXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@dataclass(frozen=True)
class EvidenceType:
    label: str
    extensions: tuple[str, ...]


# The allow-list: content type → what people call it and the extensions its name may have (the first is suggested).
ALLOWED_TYPES: dict[str, EvidenceType] = {
    "application/pdf": EvidenceType("a PDF", ("pdf",)),
    DOCX: EvidenceType("a Word document", ("docx",)),
    XLSX: EvidenceType("an Excel workbook", ("xlsx",)),
    PPTX: EvidenceType("a PowerPoint presentation", ("pptx",)),
    "application/msword": EvidenceType("a Word 97-2003 document", ("doc",)),
    "application/vnd.ms-excel": EvidenceType("an Excel 97-2003 workbook", ("xls",)),
    TEXT: EvidenceType("a plain text file", ("txt",)),
    "image/png": EvidenceType("a PNG image", ("png",)),
    "image/jpeg": EvidenceType("a JPEG image", ("jpg", "jpeg")),
}
WHAT_IS_ACCEPTED = (
    "Evidence must be a PDF, a Word, Excel or PowerPoint document (.docx, .xlsx, .pptx, .doc, .xls), "
    "a plain text file (.txt) or a PNG or JPEG image."
)

# The main part each OOXML document declares in [Content_Types].xml.
OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
# Markup a browser or a desktop would run or render if the text were ever opened as a page, and script lines.
ACTIVE_TEXT = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|meta|link|style|form|\?xml)\b|\A\s*#!",
    re.IGNORECASE,
)
TEXT_CONTROLS = set(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D}
MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class AcceptedEvidence:
    """An upload that passed every check: the file, its cleaned name, size and detected content type."""

    file: File
    name: str
    size: int
    content_type: str


def evidence_accept(*, upload: File | None) -> AcceptedEvidence | None:
    """Check an upload before anything is written; None passes through (an update without evidence)."""
    if upload is None:
        return None
    name = _clean_name(upload.name or "")
    size = upload.size
    if not size:
        raise ApplicationError("The file is empty.", field=FIELD)
    limit = settings.EVIDENCE_MAX_BYTES
    if size > limit:
        raise ApplicationError(
            f"The file is {_megabytes(size)}: evidence can be at most {_megabytes(limit)}.", field=FIELD
        )
    content_type = detect_content_type(upload)
    if content_type is None:
        raise ApplicationError(WHAT_IS_ACCEPTED, field=FIELD)
    kind = ALLOWED_TYPES[content_type]
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension not in kind.extensions:
        raise ApplicationError(
            f"The file is {kind.label}, but its name ends in {'.' + extension if extension else 'no extension'}: "
            f"rename it to end in .{kind.extensions[0]}.",
            field=FIELD,
        )
    _scan(upload, name)
    upload.seek(0)
    return AcceptedEvidence(file=upload, name=name, size=size, content_type=content_type)


def detect_content_type(file: IO[bytes] | File) -> str | None:
    """The allowed content type the file's bytes are, or None when they are anything else."""
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    guessed = filetype.guess(head)
    if guessed is None:
        return TEXT if _is_plain_text(file) else None
    if guessed.mime in OOXML_MAIN_PARTS.values() or guessed.mime == "application/zip":
        return _ooxml_type(file)
    if guessed.mime in ALLOWED_TYPES:
        return guessed.mime
    return None


def _clean_name(name: str) -> str:
    """The uploaded name as people will see it; a name with a folder or a control character is refused."""
    if "/" in name or "\\" in name or name in (".", ".."):
        raise ApplicationError("The file's name must not include a folder: give just its name.", field=FIELD)
    # Cc: control characters; Cf: format characters such as the right-to-left override that disguises "exe.txt".
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in name):
        raise ApplicationError("The file's name contains characters that cannot be shown: rename it.", field=FIELD)
    name = unicodedata.normalize("NFC", name).strip()
    if not name:
        raise ApplicationError("The file needs a name.", field=FIELD)
    if len(name) > MAX_NAME_LENGTH:
        raise ApplicationError(f"The file's name is longer than {MAX_NAME_LENGTH} characters.", field=FIELD)
    return name


def _is_plain_text(file: IO[bytes] | File) -> bool:
    file.seek(0)
    data = file.read()
    file.seek(0)
    data = data.removeprefix(b"\xef\xbb\xbf")
    if any(byte in TEXT_CONTROLS for byte in data[:65536]) or b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return ACTIVE_TEXT.search(data) is None


def _ooxml_type(file: IO[bytes] | File) -> str | None:
    """A Word, Excel or PowerPoint document, by the main part its [Content_Types].xml declares; never with macros."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or any(n.lower().endswith("vbaproject.bin") for n in names):
                return None
            with archive.open("[Content_Types].xml") as part:
                declared = part.read(1024 * 1024).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, NotImplementedError):
        return None
    finally:
        file.seek(0)
    if "macroEnabled" in declared:
        return None
    found = {mime for part, mime in OOXML_MAIN_PARTS.items() if f'ContentType="{part}"' in declared}
    return found.pop() if len(found) == 1 else None


def _scan(upload: File, name: str) -> None:
    """The virus scanner's say, when one is configured; a scanner that fails refuses the file rather than pass it."""
    path = settings.EVIDENCE_SCANNER
    if not path:
        return
    scanner: Callable[..., Any] = import_string(path)
    upload.seek(0)
    try:
        refusal = scanner(file=upload, name=name)
    except Exception:
        logger.exception("The evidence scanner %s failed on an upload", path)
        refusal = "The file could not be checked for viruses just now: try again later."
    finally:
        upload.seek(0)
    if refusal:
        raise ApplicationError(str(refusal), field=FIELD)


def _megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f} MB" if megabytes >= 1 else f"{max(1, round(size / 1024))} KB"


def download_name(*, name: str, content_type: str) -> str:
    """The name a download is saved under: the uploaded name, or a plain one for evidence stored without it."""
    kind = ALLOWED_TYPES.get(content_type)
    return os.path.basename(name) or (f"evidence.{kind.extensions[0]}" if kind else "evidence")

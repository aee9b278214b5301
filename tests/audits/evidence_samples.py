"""Small files of each kind, made here (no real documents), for the evidence tests."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from docx import Document

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
TEXT = b"Briefing given to the team managers on 3 June; the attendance list is attached.\n"
DOC = OLE + b"\x00" * 504 + b"\xec\xa5\xc1\x00" + b"\x00" * 600
XLS = OLE + b"\x00" * 504 + b"\xfd\xff\xff\xff\x00\x00\x00" + b"\x00" * 600
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program cannot be run in DOS mode."
HTML = b"<!DOCTYPE html><html><body><script>document.location='https://example.invalid/'</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
SHELL = b"#!/bin/sh\necho 'cleaning up'\n"


def docx() -> bytes:
    document = Document()
    document.add_paragraph("Supervision audit: 12 of 12 files had a recorded discussion.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def ooxml(part: str, main: str, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A hand-made OOXML package whose [Content_Types].xml declares ``part`` as its main part, of type ``main``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/{part}" '
            f'ContentType="application/vnd.openxmlformats-officedocument.{main}"/></Types>',
        )
        archive.writestr(part, "<root/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def xlsx() -> bytes:
    return ooxml("xl/workbook.xml", "spreadsheetml.sheet.main+xml")


def pptx() -> bytes:
    return ooxml("ppt/presentation.xml", "presentationml.presentation.main+xml")


def docm() -> bytes:
    """A Word document with macros: a zip that says it is Word, carrying a VBA project."""
    return ooxml("word/document.xml", "wordprocessingml.document.main+xml", extra={"word/vbaProject.bin": b"VBA"})


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


SCANNED: list[str] = []


def scanner_refusing_everything(*, file: Any, name: str) -> str | None:
    return "The virus scanner found something in this file."


def scanner_passing_everything(*, file: Any, name: str) -> str | None:
    SCANNED.append(name)
    assert file.read(4) == b"%PDF"  # the scanner gets the file from its start
    return None


def scanner_that_fails(*, file: Any, name: str) -> str | None:
    raise ConnectionError("scanner unreachable")

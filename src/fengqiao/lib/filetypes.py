"""What a file is, by its first bytes: the sender's declared content type is never trusted.

`sniff_image` for photos (the citizen page), `sniff_attachment` for an event's attachments
(images, PDF, Office documents, audio, video and plain text). An HTML page sent as image/png
sniffs as nothing and is refused; what is stored is the type the bytes show.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable

Test = Callable[[bytes], bool]

IMAGE_SIGNATURES: list[tuple[str, Test]] = [
    ("image/jpeg", lambda h: h[:3] == b"\xff\xd8\xff"),
    ("image/png", lambda h: h[:8] == b"\x89PNG\r\n\x1a\n"),
    ("image/gif", lambda h: h[:6] in (b"GIF87a", b"GIF89a")),
    ("image/webp", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP"),
    ("image/heic", lambda h: h[4:8] == b"ftyp" and h[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc")),
]

OTHER_SIGNATURES: list[tuple[str, Test]] = [
    ("application/pdf", lambda h: h[:5] == b"%PDF-"),
    # .docx/.xlsx are zip files; .doc/.xls the older OLE compound documents.
    ("application/vnd.openxmlformats-officedocument", lambda h: h[:4] == b"PK\x03\x04"),
    ("application/msword", lambda h: h[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
    ("video/mp4", lambda h: h[4:8] == b"ftyp" and h[8:11] in (b"iso", b"mp4", b"avc", b"M4V", b"qt ", b"3gp")),
    ("audio/mp4", lambda h: h[4:8] == b"ftyp" and h[8:11] == b"M4A"),
    ("audio/wav", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WAVE"),
    ("video/x-msvideo", lambda h: h[:4] == b"RIFF" and h[8:12] == b"AVI "),
    ("audio/mpeg", lambda h: h[:3] == b"ID3" or (len(h) > 1 and h[0] == 0xFF and h[1] & 0xE0 == 0xE0)),
    ("audio/amr", lambda h: h[:6] == b"#!AMR\n"),
    ("audio/ogg", lambda h: h[:4] == b"OggS"),
    ("video/webm", lambda h: h[:4] == b"\x1a\x45\xdf\xa3"),
]

_HEAD = 16
# Programs are never attachments, even the few bytes of one that would pass as text.
_PROGRAMS = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")
_TEXT_PROBE = 64 * 1024
_MARKUP = (b"<html", b"<!doctype", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe", b"<head")


def _head(upload, n: int) -> bytes:
    pos = upload.tell() if hasattr(upload, "tell") else 0
    data = upload.read(n)
    upload.seek(pos)
    return data or b""


def _match(head: bytes, signatures: list[tuple[str, Test]]) -> str | None:
    for content_type, test in signatures:
        if test(head):
            return content_type
    return None


def sniff_image(upload) -> str | None:
    """The image type the file's first bytes show, or None."""
    return _match(_head(upload, _HEAD), IMAGE_SIGNATURES)


def _is_plain_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    lowered = data.lower()
    if any(tag in lowered for tag in _MARKUP):
        return False  # markup a browser would render is not plain text
    for encoding in ("utf-8", "gb18030"):
        try:  # incremental: a character cut at the end of the probe is not an error
            codecs.getincrementaldecoder(encoding)().decode(data, final=False)
            return True
        except UnicodeDecodeError:
            continue
    return False


def sniff_attachment(upload) -> str | None:
    """The type an attachment's bytes show (an image, PDF, Office document, audio, video, or
    `text/plain` for UTF-8/GB18030 text without markup), or None for anything else."""
    head = _head(upload, _HEAD)
    if head.startswith(_PROGRAMS):
        return None
    kind = _match(head, IMAGE_SIGNATURES) or _match(head, OTHER_SIGNATURES)
    if kind is not None:
        return kind
    return "text/plain" if _is_plain_text(_head(upload, _TEXT_PROBE)) else None

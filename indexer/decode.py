"""Bytes of a fetched e-paper page → text, strictly, or a clear DecodeError.

Order of evidence: byte-order mark, then the HTTP Content-Type charset, then the
<meta charset> / http-equiv declaration in the first few KB, then detection with
charset-normalizer (a well-kept library; hand-written frequency tables would be worse).

Chinese papers mislabel their pages all the time: a page says gb2312 but holds GBK-only
characters (镕, 喆, 堃), or the server says gbk while the file is GB18030. So every
GB-family label is decoded as GB18030, which is a strict superset of all of them.

Nothing is ever decoded with errors="replace": a wrong guess would put U+FFFD or
mojibake into the archive where no reader could undo it. If no candidate decodes
strictly to clean text, DecodeError says why.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

__all__ = ["DecodeError", "decode_html", "sniff_binary"]


class DecodeError(ValueError):
    """The bytes are not a text page we can decode without guessing wrong."""


# Labels that all mean "some GB code page"; GB18030 decodes every one of them.
_GB_FAMILY = {
    "gb2312",
    "gbk",
    "x-gbk",
    "gb18030",
    "cp936",
    "ms936",
    "windows-936",
    "euc-cn",
    "csgb2312",
    "gb_2312-80",
    "gb_2312",
    "chinese",
    "iso-ir-58",
    "x-euc-cn",
}
# Latin labels on Chinese pages are almost always a server default, not a statement about
# the bytes; decoding with them always "succeeds" and yields mojibake, so they are ignored
# when the page has non-ASCII bytes.
_UNRELIABLE = {"iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii"}

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"\x7fELF", "ELF executable"),
    (b"RIFF", "RIFF media (WebP/WAV/AVI)"),
)

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_META_WINDOW = 4096
# What GB-encoded newspaper text is made of: hanzi, CJK and full-width punctuation,
# general punctuation (“” ——), · ×, circled numbers, □ ■.
_CHINESE_RANGES = (
    ("\u3400", "\u4dbf"),
    ("\u4e00", "\u9fff"),
    ("\u3000", "\u303f"),
    ("\uff00", "\uffef"),
    ("\u2000", "\u206f"),
    ("\u00b7", "\u00b7"),
    ("\u00d7", "\u00d7"),
    ("\u2460", "\u24ff"),
    ("\u25a0", "\u25ff"),
)
_CONTROL = set(range(0, 9)) | {11, 12} | set(range(14, 32)) | {127}


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """Decode a page's bytes to text without ever substituting characters.

    Raises DecodeError for empty or binary input, and when no charset decodes it cleanly.
    """
    if not data or not data.strip():
        raise DecodeError(
            "empty file: no bytes to decode" if not data else "empty file: only white space"
        )
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _strict(data, codec, "byte-order mark")
    reason = sniff_binary(data)
    if reason:
        raise DecodeError(f"binary file, not HTML: {reason}")
    declared = [
        (_label(_header_charset(content_type)), "HTTP Content-Type charset"),
        (_label(_meta_charset(data)), "<meta> charset"),
    ]
    if data.isascii():
        # HZ-GB-2312 is the one Chinese encoding written in 7-bit ASCII ("~{...~}").
        if any(codec == "hz" for codec, _ in declared):
            return _strict(data, "hz", "declared charset")
        return data.decode("ascii")
    utf8 = _utf8_evidence(data)
    tried: list[str] = []
    for codec, _where in declared:
        if not codec or codec in tried:
            continue
        tried.append(codec)
        text = _try(data, codec)
        # A GB or other declaration on bytes that are UTF-8 would decode "fine" into mojibake.
        if text is not None and (codec == "utf-8" or utf8 == "none"):
            return text
    # The declarations were missing or wrong. UTF-8 validates itself; bytes that are UTF-8
    # except for a few bad sequences are corrupt, and any other reading of them is mojibake.
    if utf8 == "valid":
        return data.decode("utf-8")
    if utf8 == "truncated":
        raise DecodeError("truncated file: it ends inside a multi-byte UTF-8 character")
    if utf8 == "broken":
        raise DecodeError(f"corrupt UTF-8: {_first_utf8_error(data)}; refusing to guess")
    detected = _detect(data)
    if detected and detected not in tried:
        text = _try(data, detected)
        if text is not None and _looks_chinese(text):
            return text
    if "gb18030" not in tried and detected != "gb18030":
        text = _try(data, "gb18030")
        if text is not None and _looks_chinese(text):
            return text
    for codec in [*tried, "gb18030"]:
        if any(_try(data[:-cut], codec) for cut in (1, 2, 3)):
            raise DecodeError(f"truncated file: it ends inside a multi-byte {codec} character")
    declared_text = ", ".join(f"{c} ({w})" for c, w in declared if c) or "none"
    raise DecodeError(
        "cannot decode without substitution: no charset decodes it strictly into text "
        f"(declared: {declared_text}; tried utf-8, detection={detected or 'none'}, gb18030)"
    )


def sniff_binary(data: bytes) -> str | None:
    """A reason why these bytes are not a text page, or None if they may be one."""
    head = data[:8192]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"starts with the {what} signature {magic[:4]!r}"
    if b"\x00" in head:
        offset = head.index(b"\x00")
        return f"contains NUL bytes (first at offset {offset})"
    controls = sum(1 for b in head if b in _CONTROL)
    if controls > max(8, len(head) // 50):
        return f"{controls} control bytes in the first {len(head)} bytes"
    return None


def _label(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or None if it is unusable."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in _GB_FAMILY or (name.startswith("gb") and name != "gb2312-hz"):
        return "gb18030"
    if name in _UNRELIABLE:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _header_charset(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def _meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:_META_WINDOW])
    return match.group(1).decode("ascii") if match else None


def _try(data: bytes, codec: str) -> str | None:
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    return None if "\ufffd" in text else text


def _strict(data: bytes, codec: str, where: str) -> str:
    text = _try(data, codec)
    if text is None:
        raise DecodeError(f"the {where} says {codec} but the bytes do not decode as {codec}")
    return text.lstrip("\ufeff")


def _utf8_evidence(data: bytes) -> str:
    """ "valid" UTF-8, "truncated" (valid but for a cut last character), "broken" (UTF-8 but
    for a few bad sequences), or "none".

    Real GB text that is also valid UTF-8 is vanishingly rare past a few characters, while
    pages served as gbk but saved as UTF-8 are common.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if (
            exc.end == len(data)
            and exc.start >= len(data) - 3
            and _utf8_evidence(data[: exc.start]) == "valid"
        ):
            return "truncated"
        loose = data.decode("utf-8", errors="replace")
        bad = loose.count("\ufffd")
        good = sum(1 for ch in loose if ord(ch) > 0x7F) - bad
        return "broken" if good >= 20 and bad <= good * 0.05 else "none"
    return "valid" if sum(1 for ch in text if ord(ch) > 0x7F) >= 3 else "none"


def _first_utf8_error(data: bytes) -> str:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"invalid byte sequence {data[exc.start : exc.end]!r} at offset {exc.start}"
    return "no error"


def _looks_chinese(text: str) -> bool:
    """GB18030 accepts many byte strings; only trust it when the result reads as Chinese."""
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return True
    cjk = sum(1 for ch in wide if any(lo <= ch <= hi for lo, hi in _CHINESE_RANGES))
    return cjk / len(wide) >= 0.8


def _detect(data: bytes) -> str | None:
    best = from_bytes(data).best()
    if best is None:
        return None
    return _label(best.encoding)

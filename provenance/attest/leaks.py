"""Does an anonymous submission name anyone? The build checks its own outputs.

What is looked for (Secrets): every name, email and key name of evidence/identities.py (the
authors, the history's other people, key owners) and of the builder (git's user.name/email,
uncommitted keys/*.pub, the signing key), matched ignoring case at word boundaries and across
line breaks; key fingerprints and public-key bodies (exact); the commit id and the tree id
(also abbreviated to 7+ hex digits, also broken across lines in the PDF's text); and any
commit id of the history written out in full.

Where it is looked for: a PDF's text (pdftotext, page by page) and its bytes, every FlateDecode
stream decompressed (object streams, XMP metadata), every PDF string decoded (PDFDocEncoding
or UTF-16, literal or hex: /Author, /Creator, ...); a tar's members, one by one (PDFs in it
as PDFs); a zip's members, decompressed; any other file as text, line by line. Member names
too. Each finding is a Leak: the file, where in it, and what.
"""

from __future__ import annotations

import functools
import io
import re
import shutil
import subprocess
import tarfile
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from provenance.errors import ToolMissing
from provenance.evidence.identities import Identities, usable
from provenance.evidence.pubkeys import PublicKey

MAX_STREAM = 64 << 20  # bytes a single PDF stream may inflate to before we stop reading it
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_PDF_STRING = re.compile(rb"/([A-Za-z][A-Za-z0-9]*)\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)", re.DOTALL)
_WORD_HEX = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{7,64}(?![0-9A-Za-z])")
_SPACE = re.compile(r"\s+")
INFO_KEYS = ("Author", "Title", "Subject", "Keywords", "Creator", "Producer")


@dataclass(frozen=True)
class Leak:
    member: str  # "build/paper.pdf", "source.tar:paper/main.tex"
    where: str  # "text, page 1", "metadata /Author", "line 33"
    what: str  # 'author name "Ada Lovelace"', "the commit id"

    def __str__(self) -> str:
        return f"{self.member} ({self.where}): {self.what}"


@dataclass(frozen=True)
class Secrets:
    words: tuple[tuple[str, str], ...] = ()  # (alias, what it is): names, emails, key names
    exact: tuple[tuple[str, str], ...] = ()  # fingerprints, key bodies: case matters
    ids: tuple[tuple[str, str], ...] = ()  # (full hex id, what it is): commit, tree
    commits: frozenset[str] = frozenset()

    @functools.cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        words = sorted({w for w, _ in self.words}, key=len, reverse=True)
        if not words:
            return None
        return re.compile(r"(?<![\w@.+-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w@-])", re.IGNORECASE)

    @functools.cached_property
    def _described(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for w, d in self.words:  # the first description wins: the author's over the builder's
            out.setdefault(w.casefold(), d)
        return out

    def find(self, text: str, glued: bool = False) -> list[str]:
        """What `text` reveals, as descriptions. `glued`: also look for ids and keys with
        the whitespace taken out (a PDF's text breaks a long digest across lines)."""
        text = unicodedata.normalize("NFKC", text)
        found: list[str] = []
        pattern = self._pattern
        if pattern is not None:
            found += [self._described[m.group(0).casefold()] for m in pattern.finditer(_SPACE.sub(" ", text))]
        hay = _SPACE.sub("", text) if glued else text
        found += [d for s, d in self.exact if s in hay]
        low = hay.lower()
        found += [d for oid, d in self.ids if oid in low]
        for m in _WORD_HEX.finditer(text):
            word = m.group(0).lower()
            if any(oid == word for oid, _ in self.ids):
                continue  # found above
            hit = next((d for oid, d in self.ids if oid.startswith(word)), None)
            if hit is None and word in self.commits:
                hit = f"commit {word[:12]} of the history"
            if hit is not None:
                found.append(hit + ("" if len(word) >= 40 else f" (abbreviated {word})"))
        return list(dict.fromkeys(found))


def _key_secrets(keys: Iterable[PublicKey], owner: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    words, exact = [], []
    for k in keys:
        if usable(k.name):
            words.append((k.name, f'key name "{k.name}"'))
        parts = k.line.split()
        if len(parts) > 2 and usable(" ".join(parts[2:])):
            words.append((" ".join(parts[2:]), f'key comment "{" ".join(parts[2:])}"'))
        exact.append((k.fingerprint, f"{owner}key fingerprint {k.fingerprint}"))
        exact.append((k.fingerprint.removeprefix("SHA256:"), f"{owner}key fingerprint {k.fingerprint}"))
        if len(parts) > 1:
            exact.append((parts[1], f"{owner}public key {k.fingerprint}"))
    return words, exact


def secrets(ids: Identities, people: Iterable[tuple[str, str]] = (), keys: Iterable[PublicKey] = ()) -> Secrets:
    """What an anonymous submission must not contain: `ids`, plus the builder's (name, email)
    pairs and keys that are not in the history."""
    words: list[tuple[str, str]] = []
    for p in ids.people:
        who = "author" if p.author else "contributor"
        words += [(n, f'{who} name "{n}"') for n in p.names if usable(n)]
        words += [(e, f'{who} email "{e}"') for e in p.emails if usable(e)]
        words += [(k, f'{who} key name "{k}"') for k in p.keys if usable(k)]
    for name, email in people:
        words += [(v, f'builder\'s {kind} "{v}"') for v, kind in ((name, "name"), (email, "email")) if usable(v)]
    kw, exact = _key_secrets([*ids.keys, *keys], "")
    hexes = [(oid.lower(), what) for oid, what in ((ids.commit, "the commit id"), (ids.tree, "the tree id")) if oid]
    return Secrets(words=tuple(dict.fromkeys(words + kw)), exact=tuple(dict.fromkeys(exact)), ids=tuple(hexes),
                   commits=frozenset(c.lower() for c in ids.commits))


# -- where to look ---------------------------------------------------------------------------

def scan_text(data: bytes, member: str, s: Secrets) -> list[Leak]:
    """A text (or any non-PDF) file, line by line, and across line breaks."""
    text = data.decode("utf-8", "replace")
    if not s.find(text):
        return []  # the usual case: one pass over the whole file, no line by line
    binary = b"\0" in data[:8192]
    leaks = []
    for n, line in enumerate(text.splitlines() or [""], 1):
        leaks += [Leak(member, "bytes" if binary else f"line {n}", w) for w in s.find(line)]
    seen = {x.what for x in leaks}
    leaks += [Leak(member, "across lines", w) for w in s.find(text) if w not in seen]
    return leaks


def _pdf_text(data: bytes) -> list[str]:
    if shutil.which("pdftotext") is None:
        raise ToolMissing("pdftotext not found on PATH; the anonymous submission checks the PDF's text with it: "
                          "install poppler-utils (Debian/Ubuntu: sudo apt-get install poppler-utils; macOS: brew install poppler)")
    with tempfile.TemporaryDirectory(prefix="paperprov-leaks-") as tmp:
        pdf = Path(tmp, "in.pdf")
        pdf.write_bytes(data)
        proc = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, timeout=300)
    if proc.returncode != 0:
        return []  # not a PDF pdftotext can read: its bytes are still scanned below
    return proc.stdout.decode("utf-8", "replace").split("\f")


def _inflate(raw: memoryview) -> bytes | None:
    try:
        return zlib.decompressobj().decompress(raw, MAX_STREAM)  # stops at the end of the zlib data
    except zlib.error:
        return None


def _streams(data: bytes) -> list[tuple[str, bytes]]:
    """(where, bytes) of every FlateDecode stream, decompressed (its dictionary is what
    stands between the object's `obj` and the `stream` keyword)."""
    out = []
    view = memoryview(data)
    for i, m in enumerate(_STREAM.finditer(data), 1):
        head = data[max(0, m.start() - 2048):m.start()]
        head = head[head.rfind(b" obj") + 1:] if b" obj" in head else head
        if b"/FlateDecode" not in head:
            continue
        body = _inflate(view[m.end():])
        if body is None:
            continue
        where = "XMP metadata" if b"<x:xmpmeta" in body or b"/Metadata" in head else f"stream {i}"
        out.append((where, body))
    return out


def _decode_pdf_string(token: bytes) -> str:
    if token.startswith(b"<"):
        hexed = re.sub(rb"\s", b"", token[1:-1])
        raw = bytes.fromhex((hexed + b"0" * (len(hexed) % 2)).decode("ascii"))
    else:
        raw = re.sub(rb"\\([nrtbf()\\]|[0-7]{1,3})", lambda m: _unescape(m.group(1)), token[1:-1])
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace")
    return raw.decode("latin-1")


def _unescape(esc: bytes) -> bytes:
    table = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    if esc in table:
        return table[esc]
    if esc[:1].isdigit():
        return bytes([int(esc, 8) & 0xFF])
    return esc


def scan_pdf(data: bytes, member: str, s: Secrets) -> list[Leak]:
    leaks = []
    for page, text in enumerate(_pdf_text(data), 1):
        leaks += [Leak(member, f"text, page {page}", w) for w in s.find(text, glued=True)]
    for where, blob in [("file bytes", data), *_streams(data)]:
        strings: dict[str, list[str]] = {}
        for m in _PDF_STRING.finditer(blob):
            key = m.group(1).decode("ascii")
            label = f"metadata /{key}" if key in INFO_KEYS else f"{where}, string /{key}"
            strings.setdefault(label, []).append(_decode_pdf_string(m.group(2)))
        for label, values in strings.items():  # NUL between strings: no match spans two of them
            leaks += [Leak(member, label, w) for w in s.find("\0".join(values))]
        text = blob.decode("utf-8", "replace") if where == "XMP metadata" else blob.decode("latin-1")
        leaks += [Leak(member, where, w) for w in s.find(text)]
    return _dedupe(leaks)


def scan_tar(data: bytes, member: str, s: Secrets) -> list[Leak]:
    leaks = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tf:
        if tf.pax_headers:
            leaks += [Leak(member, "pax header", w) for w in s.find(" ".join(tf.pax_headers.values()))]
        for m in tf:
            name = f"{member}:{m.name}"
            leaks += [Leak(name, "file name", w) for w in s.find(m.name)]
            leaks += [Leak(name, "owner", w) for w in s.find(f"{m.uname} {m.gname}")]
            if m.issym():
                leaks += [Leak(name, "link target", w) for w in s.find(m.linkname)]
            f = tf.extractfile(m) if m.isfile() else None
            if f is not None:
                leaks += scan_member(name, f.read(), s)
    return leaks


def scan_member(name: str, data: bytes, s: Secrets) -> list[Leak]:
    if data.startswith(b"%PDF") or name.lower().endswith(".pdf"):
        return scan_pdf(data, name, s)
    if name.endswith(".tar"):
        return scan_tar(data, name, s)
    return scan_text(data, name, s)


def scan_zip(data: bytes, s: Secrets) -> list[Leak]:
    """Every member of a submission zip, decompressed, and every member's name."""
    leaks = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if zf.comment:
            leaks += [Leak("(zip comment)", "comment", w) for w in s.find(zf.comment.decode("utf-8", "replace"))]
        for info in zf.infolist():
            leaks += [Leak(info.filename, "file name", w) for w in s.find(info.filename)]
            leaks += scan_member(info.filename, zf.read(info), s)
    return _dedupe(leaks)


def _dedupe(leaks: list[Leak]) -> list[Leak]:
    return list(dict.fromkeys(leaks))


def describe(leaks: list[Leak]) -> str:
    """Every leak, in one line."""
    return "; ".join(map(str, leaks))

"""Private keys in bytes about to be committed: what `paperprov-no-private-keys` looks for.

A pure function from a file's bytes to (line, kind) findings, cheap on ordinary files
(every extra view below is tried only when its marker is present). Found:
- PEM blocks, `-----BEGIN ... PRIVATE KEY-----` to the matching END (PKCS#1/#8, EC,
  OpenSSH, encrypted), and PGP `PRIVATE KEY BLOCK`s;
- the same written inside a JSON or other string with `\\n` escapes, or in comment lines
  (`% `, `# `, `// `, `; `, `-- `, ` * `) and quoted line by line;
- the same in UTF-16 text;
- binary keys: DER (PKCS#1 RSA, PKCS#8, SEC1 EC, DSA, encrypted PKCS#8), OpenSSH's
  binary format, PuTTY .ppk files.
A block must hold key material (MIN_BASE64 base64 characters), so code and tests that
only mention the header are not keys.
"""

from __future__ import annotations

import re

MIN_BASE64 = 40
_BLOCK = re.compile(
    rb"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK|)-----[ \t]*\r?\n"
    rb"((?:(?!-----)[^\r\n]*\r?\n){1,2000}?)[ \t]*-----END \1PRIVATE KEY\2-----"
)
_BEGIN = b"-----BEGIN "
_BASE64 = re.compile(rb"[A-Za-z0-9+/]")
# A comment leader or an opening quote at the start of a line, a closing quote (and a
# comma, a `+` or a backslash continuing a string) at its end.
_LEAD = re.compile(rb"^[ \t]*(?:%+|#+|//+|;+|--+|\*+|>+)?[ \t]*[\"']?", re.M)
_TAIL = re.compile(rb"[\"']?[ \t]*[,+\\]?[ \t]*\r?$", re.M)
_PBE_OIDS = (bytes.fromhex("2a864886f70d0105"), bytes.fromhex("2a864886f70d010c01"))  # PKCS#5, PKCS#12


def _unescape(data: bytes) -> bytes:
    return data.replace(b"\\r", b"").replace(b"\\n", b"\n").replace(b"\\/", b"/")


def _uncomment(data: bytes) -> bytes:
    return _TAIL.sub(b"", _LEAD.sub(b"", data))


def _pem(data: bytes) -> list[tuple[int, str]]:
    """(line, kind) of every PEM private key block in `data`, under each view."""
    if _BEGIN not in data:
        return []
    found: dict[int, str] = {}
    for view in (data, _unescape(data), _uncomment(data), _uncomment(_unescape(data))):
        for m in _BLOCK.finditer(view):
            if len(_BASE64.findall(m.group(3))) < MIN_BASE64:
                continue
            # The views keep every "-----BEGIN ", so the n-th one in a view is the n-th in the file.
            nth = view.count(_BEGIN, 0, m.start())
            pos = -1
            for _ in range(nth + 1):
                pos = data.find(_BEGIN, pos + 1)
            line = data.count(b"\n", 0, pos) + 1
            label = (m.group(1) + b"PRIVATE KEY" + m.group(2)).decode("ascii")
            found.setdefault(line, label + (" block" if not label.endswith("BLOCK") else ""))
    return sorted(found.items())


def _tlv(data: bytes, pos: int) -> tuple[int, int, int] | None:
    """(tag, start of content, end of content) of the DER element at `pos`."""
    if pos + 2 > len(data):
        return None
    tag, first = data[pos], data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    elif 0x81 <= first <= 0x84 and pos + (first & 0x7F) <= len(data):
        n = first & 0x7F
        length = int.from_bytes(data[pos:pos + n], "big")
        pos += n
    else:
        return None
    return (tag, pos, pos + length) if pos + length <= len(data) else None


def _der(data: bytes) -> str | None:
    """The kind of DER private key `data` is, or None. Public keys and certificates
    (a SEQUENCE first, then a BIT STRING or more SEQUENCEs) are not."""
    outer = _tlv(data, 0)
    # The element spans the file (a trailing newline allowed: key material may end in 0x0a itself)
    if outer is None or outer[0] != 0x30 or outer[2] not in (len(data), len(data.rstrip(b"\r\n"))):
        return None
    items: list[tuple[int, bytes]] = []
    pos = outer[1]
    while pos < outer[2] and len(items) < 10:
        el = _tlv(data, pos)
        if el is None:
            return None
        items.append((el[0], data[el[1]:el[2]]))
        pos = el[2]
    tags = [t for t, _ in items]
    if tags and tags[0] == 0x02 and items[0][1] in (b"\x00", b"\x01"):  # a version number
        if tags[1:3] == [0x30, 0x04]:
            return "PKCS#8 private key (DER)"
        if tags[1:2] == [0x04] and items[0][1] == b"\x01":
            return "EC private key (DER)"
        if len(tags) >= 6 and set(tags) == {0x02}:
            return "RSA or DSA private key (DER)"
    if tags == [0x30, 0x04]:
        alg = _tlv(items[0][1], 0)
        if alg is not None and alg[0] == 0x06 and items[0][1][alg[1]:alg[2]].startswith(_PBE_OIDS):
            return "encrypted PKCS#8 private key (DER)"
    return None


def _utf16(data: bytes) -> bytes | None:
    """UTF-16 text (with a BOM, or ASCII with every other byte zero) as UTF-8."""
    head = data[:256]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16"
    elif len(head) >= 8 and head[1::2].count(0) >= len(head) // 2 - 1:
        codec = "utf-16-le"
    elif len(head) >= 8 and head[0::2].count(0) >= len(head) // 2 - 1:
        codec = "utf-16-be"
    else:
        return None
    return data.decode(codec, errors="replace").encode("utf-8")


def private_keys_in(data: bytes) -> list[tuple[int, str]]:
    """(line, kind) for every private key in a file's bytes; empty when there is none."""
    found = _pem(data)
    if not found and b"\0" in data[:256]:
        text = _utf16(data)
        if text is not None:
            found = [(line, f"{kind} (UTF-16)") for line, kind in _pem(text)]
    if b"openssh-key-v1\0" in data:
        found.append((data.count(b"\n", 0, data.find(b"openssh-key-v1\0")) + 1, "OpenSSH private key (binary)"))
    if data.startswith(b"PuTTY-User-Key-File-") and b"\nPrivate-Lines:" in data:
        found.append((1, "PuTTY private key"))
    if data[:1] == b"\x30":
        kind = _der(data)
        if kind is not None:
            found.append((1, kind))
    return found

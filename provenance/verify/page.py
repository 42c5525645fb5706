"""`paperprov verify BUNDLE --html DIR`: the reviewer's web page (disclose/html.py), rendered
here from what the bundle holds, with this verification's results on top.

It is rendered afresh from the bundle's record and source.tar, never copied from the
bundle's own build/report/index.html: a page the authors made could hold anything,
while this one is escaped by the reviewer's paperprov. Everything is read within the
bundle's bounds (bundle.py); a record that cannot be read gives a page with the results
and a warning. The paper's name is the attested one (SLSA externalParameters.paper),
which is what the build put on its page, so apart from the results the two pages are
the same bytes.
"""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path

from provenance.attest import signing
from provenance.attest import statements as manifest
from provenance.disclose.html import (
    MAX_SOURCE_BYTES,
    Verification,
    build_page,
    decode,
    unit_files,
    write_page,
)
from provenance.errors import BuildError, VerifyError
from provenance.model import Record
from provenance.paths import RECORD, SOURCE_TAR
from provenance.recordjson import parse_record
from provenance.verify.bundle import Bundle, locate
from provenance.verify.report import Report


def _paper(bundle: Bundle, att: str) -> str:
    try:
        raw = bundle.read(att, 64 << 20) or b""
        for i, line in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
            if line.strip():
                st = manifest.parse_statement(signing.parse_envelope(line, f"envelope {i}").payload, f"envelope {i}")
                name = manifest.dig(st.predicate, "buildDefinition", "externalParameters", "paper")
                if st.predicate_type == manifest.SLSA_PREDICATE and isinstance(name, str):
                    return name
    except VerifyError:
        pass
    return ""


def _tar_texts(bundle: Bundle, wanted: set[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    with bundle.open(SOURCE_TAR) as fh:
        if fh is None:
            return out
        try:
            with tarfile.open(fileobj=fh, mode="r|") as tf:
                for m in tf:
                    if m.name in wanted and m.isfile():
                        f = tf.extractfile(m) if m.size <= MAX_SOURCE_BYTES else None
                        out[m.name] = decode(f.read(MAX_SOURCE_BYTES + 1)) if f is not None else None
        except (tarfile.TarError, EOFError, zipfile.BadZipFile, OSError):
            pass  # the source check reports a broken archive; the page lists what it could read
    return out


def _texts(bundle: Bundle, names: list[str]) -> dict[str, str | None]:
    if bundle.has(SOURCE_TAR):
        return _tar_texts(bundle, set(names))
    out: dict[str, str | None] = {}
    for name in names:  # a build directory: its working tree
        try:
            data = bundle.read(name, MAX_SOURCE_BYTES)
        except VerifyError:
            out[name] = None
            continue
        if data is not None:
            out[name] = decode(data)
    return out


def write_html(path: Path, report: Report, outdir: Path) -> Path:
    """DIR/index.html for the bundle at PATH and its verification report."""
    bundle, att = locate(path)
    try:
        try:
            data = bundle.read(RECORD)
            if data is None:
                raise BuildError(f"{RECORD}: missing from the bundle")
            record = parse_record(data, RECORD, "the bundle's record is damaged")
        except (BuildError, VerifyError) as err:
            record = Record(commit=None, dirty=False, units=(), warnings=(f"{err}",))
        texts = _texts(bundle, unit_files(record))
        paper = _paper(bundle, att)
    finally:
        if bundle.zf is not None:
            bundle.zf.close()
    results = Verification(report.ok, Path(report.target).name, tuple((c.ok, c.what) for c in report.checks),
                           report.notes)
    out = outdir / "index.html"
    write_page(out, build_page(record, texts, paper, results))
    return out

"""The example paper made ready for a double-blind venue and submitted anonymously, once per
test session, for the tests of anonymous submissions (import the fixtures by name).

Ready for double-blind means what the README tells authors: the names go into a file of
their own (paper/authors.tex), listed under submission.anonymize and read only when
\\paperprovanonymous is not defined; the signing key made by the first build is committed.
Never mocks: a real `doit submission` with PAPERPROV_ANONYMOUS=1.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import AGENT_PREFIXES, AGENT_VARS, IDENTITY, Repo, copy_built, run_doit

AUTHOR_NAME = "Seed 5433d28d maintainers"
AUTHOR_EMAIL = "maintainers@users.noreply.r-seed-5433d28d.example"
ANONYMOUS = {"PAPERPROV_ANONYMOUS": "1"}
NAME = "least-squares-agents"
BUNDLE = f"dist/{NAME}-submission.zip"
REVEAL = f"dist/{NAME}-reveal.json"


def make_double_blind(repo: Repo) -> None:
    """\\author{} in paper/authors.tex, read only in a named build; committed with the key."""
    main = repo.path / "paper/main.tex"
    text = main.read_text(encoding="utf-8")
    start, end = text.index("\\author{"), text.index("\\date{}")
    repo.write("paper/authors.tex", text[start:end])
    main.write_text(text[:start] + "\\ifdefined\\paperprovanonymous\\author{Anonymous authors}\\else\\input{authors}\\fi\n"
                    + text[end:], encoding="utf-8")
    config = repo.path / "provenance.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\nsubmission:\n  anonymize: [paper/authors.tex]\n",
                      encoding="utf-8")
    repo.commit("Double-blind: the authors in a file of their own", date="2026-01-03T00:00:00Z")


@pytest.fixture(scope="session")
def anonymous_example(built_example: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
                      ) -> Iterator[tuple[Path, Path]]:
    """(the example submitted anonymously: dist/ holds the bundle and the reveal file, the
    HOME with its signing key). Read it, never change it; `anonymous` gives a copy."""
    src, home = built_example
    dest = tmp_path_factory.mktemp("anonymous") / "example"
    shutil.copytree(src, dest, symlinks=True)
    with pytest.MonkeyPatch.context() as mp:
        for var in list(os.environ):  # as built_example: session fixtures run before the autouse ones
            if var in AGENT_VARS or var.startswith(AGENT_PREFIXES) or var == "SOURCE_DATE_EPOCH":
                mp.delenv(var)
        for k, v in {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "GIT_CONFIG_NOSYSTEM": "1",
                     **IDENTITY}.items():
            mp.setenv(k, v)
        make_double_blind(Repo(dest, init=False))
        proc = run_doit(dest, "submission", env=ANONYMOUS)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    yield dest, home


@pytest.fixture
def anonymous(anonymous_example: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """A copy of the anonymously submitted example, signing with the same key."""
    return copy_built(anonymous_example, tmp_path, monkeypatch)


# -- reading everything a bundle holds, as a reviewer could (independent of leaks.py) -----------

def pdf_texts(data: bytes) -> list[bytes]:
    """A PDF's bytes, each FlateDecode stream inflated, and its text by pdftotext."""
    out = [data]
    for m in re.finditer(rb"(?<!end)stream\r?\n", data):
        try:
            out.append(zlib.decompressobj().decompress(data[m.end():]))
        except zlib.error:
            continue
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "x.pdf").write_bytes(data)
        text = subprocess.run(["pdftotext", "x.pdf", "-"], cwd=tmp, capture_output=True, check=True).stdout
    out += [text, re.sub(rb"\s+", b"", text), re.sub(rb"\s+", b" ", text)]
    return out


def member_texts(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    """(where, bytes) of a member and everything inside it: tar members, PDF streams and text."""
    yield name, name.encode()
    if name.endswith(".tar"):
        with tarfile.open(fileobj=io.BytesIO(data)) as tf:
            yield f"{name} pax header", repr(tf.pax_headers).encode()
            for m in tf:
                f = tf.extractfile(m) if m.isfile() else None
                yield from member_texts(f"{name}:{m.name}", f.read() if f is not None else m.linkname.encode())
                yield f"{name}:{m.name} owner", f"{m.uname} {m.gname}".encode()
    elif data.startswith(b"%PDF"):
        for i, blob in enumerate(pdf_texts(data)):
            yield f"{name} part {i}", blob
    else:
        yield name, data


def bundle_texts(path: Path) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            yield from member_texts(info.filename, zf.read(info))


def found(path: Path, needles: dict[str, str]) -> list[str]:
    """Which needles (what -> text, matched ignoring case) appear anywhere in the bundle."""
    hits = []
    for where, blob in bundle_texts(path):
        low = blob.lower()
        hits += [f"{what} in {where}" for what, text in needles.items() if text.lower().encode() in low]
    return hits


def env_without(*names: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in names}

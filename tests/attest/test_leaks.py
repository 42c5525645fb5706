"""The leak check of anonymous submissions: what it finds, and where it says it found it."""

from __future__ import annotations

import io
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from provenance.attest import leaks, signing
from provenance.evidence.identities import Identities, Person, salted
from provenance.evidence.pubkeys import PublicKey
from tests.helpers import Repo

COMMIT = "0123456789abcdef0123456789abcdef01234567"
TREE = "fedcba9876543210fedcba9876543210fedcba98"
OLD = "1111111111111111111111111111111111111111"


def _secrets(tmp_path: Path) -> tuple[leaks.Secrets, PublicKey]:
    signer = signing.generate(tmp_path / "k", "zoe@laptop")
    key = PublicKey("zoe", "keys/zoe.pub", signer.public_line, signer.keyid)
    ids = Identities(people=(Person("Author 1", ("Zoë Quux",), ("zoe@example.org",), ("zoe",), True),
                             Person("Contributor 1", ("Max Mustermann",), ("max@example.org",))),
                     keys=(key,), commit=COMMIT, tree=TREE, commits=frozenset({COMMIT, OLD}))
    return leaks.secrets(ids, [("Builder Person", "builder@example.org")]), key


def test_text_leaks_name_the_line_and_what(tmp_path: Path) -> None:
    s, key = _secrets(tmp_path)
    text = (f"% by zoë quux\nmail: ZOE@example.org\ncommit {COMMIT[:9]} and {OLD}\nkey {key.fingerprint}\n"
            f"Max\n  Mustermann wrote this\nsalted {salted(b'x' * 32, COMMIT)}; the author of key `author`\n")
    found = [str(x) for x in leaks.scan_text(text.encode(), "paper/x.tex", s)]
    assert found == [
        'paper/x.tex (line 1): author name "Zoë Quux"',
        'paper/x.tex (line 2): author email "zoe@example.org"',
        f"paper/x.tex (line 3): the commit id (abbreviated {COMMIT[:9]})",
        f"paper/x.tex (line 3): commit {OLD[:12]} of the history",
        f"paper/x.tex (line 4): key fingerprint {key.fingerprint}",
        'paper/x.tex (across lines): contributor name "Max Mustermann"',
    ]


def test_a_pdf_leaks_through_its_text_and_its_metadata(tmp_path: Path, needs_tex: None) -> None:
    s, key = _secrets(tmp_path)
    (tmp_path / "p.tex").write_text(
        "\\documentclass{article}\n\\usepackage[pdfauthor={Zo\\\"e Quux},pdfencoding=unicode]{hyperref}\n"
        "\\begin{document}\nWritten by Max\\\\ Mustermann.\n\n"
        f"\\texttt{{{COMMIT[:20]}\\allowbreak{{}}{COMMIT[20:]}}}\n\\end{{document}}\n")
    subprocess.run(["pdflatex", "-interaction=nonstopmode", "p.tex"], cwd=tmp_path, capture_output=True, check=True)
    found = {str(x) for x in leaks.scan_pdf((tmp_path / "p.pdf").read_bytes(), "build/paper.pdf", s)}
    assert 'build/paper.pdf (text, page 1): contributor name "Max Mustermann"' in found
    assert "build/paper.pdf (text, page 1): the commit id" in found
    assert 'build/paper.pdf (metadata /Author): author name "Zoë Quux"' in found  # UTF-16, hex or not


def test_a_deflated_stream_and_xmp_are_read(tmp_path: Path) -> None:
    import zlib

    s, _ = _secrets(tmp_path)
    xmp = zlib.compress(b'<x:xmpmeta><dc:creator>Max Mustermann</dc:creator></x:xmpmeta>')
    body = (b"%PDF-1.5\n1 0 obj\n<</Type/Metadata/Filter/FlateDecode/Length " + str(len(xmp)).encode()
            + b">>stream\n" + xmp
            + b"\nendstream\nendobj\n2 0 obj\n<</Author <FEFF005A006F00EB00200051007500750078>>>\nendobj\n%%EOF\n")
    found = {str(x) for x in leaks.scan_pdf(body, "f.pdf", s)}
    assert 'f.pdf (XMP metadata): contributor name "Max Mustermann"' in found
    assert 'f.pdf (metadata /Author): author name "Zoë Quux"' in found


def test_a_git_archive_leaks_its_commit_in_a_pax_header_and_the_zip_is_read_whole(repo: Repo, tmp_path: Path) -> None:
    repo.commit("x", {"a.txt": "hello\n"})
    s, _ = _secrets(tmp_path)
    commit = repo.git("rev-parse", "HEAD").strip()
    s = leaks.Secrets(s.words, s.exact, ((commit, "the commit id"),), s.commits)
    tar = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=repo.path, capture_output=True).stdout
    assert [str(x) for x in leaks.scan_tar(tar, "source.tar", s)] == ["source.tar (pax header): the commit id"]
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w") as tf:
        data = b"Thanks to builder@example.org\n"
        info = tarfile.TarInfo("paper/zoe/ack.tex")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("source.tar", inner.getvalue())
        zf.writestr("notes/Max Mustermann.txt", "nothing\n")
    found = [str(x) for x in leaks.scan_zip(buf.getvalue(), s)]
    assert found == ['source.tar:paper/zoe/ack.tex (file name): author key name "zoe"',
                     'source.tar:paper/zoe/ack.tex (line 1): builder\'s email "builder@example.org"',
                     'notes/Max Mustermann.txt (file name): contributor name "Max Mustermann"']


@pytest.mark.parametrize("word", ["author", "root", "x"])
def test_generic_words_are_never_anyones_name(tmp_path: Path, word: str) -> None:
    ids = Identities(people=(Person("Author 1", (word,), (), (word,), True),))
    assert leaks.scan_text(f"the {word} of the paper\n".encode(), "f", leaks.secrets(ids)) == []

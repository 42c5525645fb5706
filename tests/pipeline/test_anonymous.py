"""Anonymous builds and submissions of the example, end to end with doit, latexmk and git."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import subprocess
import tarfile
import zipfile
from pathlib import Path

from tests.anonymous_example import ANONYMOUS, AUTHOR_EMAIL, AUTHOR_NAME, BUNDLE, REVEAL, found, make_double_blind
from tests.helpers import Repo, run_cli, run_doit

OUTPUTS = ("build/record.json", "build/disclosure.tex", "build/disclosure.md", "build/paper.pdf",
           "build/report/index.html")


def _key(root: Path) -> tuple[str, str]:
    """(fingerprint without SHA256:, base64 body) of the example's committed signing key."""
    body = (root / "keys/ada-author.pub").read_text().split()[1]
    fp = base64.b64encode(hashlib.sha256(base64.b64decode(body)).digest()).decode().rstrip("=")
    return fp, body


def test_the_anonymous_submission_names_no_author_key_or_commit_anywhere(anonymous_example: tuple[Path, Path]) -> None:
    root, _ = anonymous_example
    repo = Repo(root, init=False)
    fp, body = _key(root)
    commits = repo.git("rev-list", "HEAD").split()
    needles = {"author name": AUTHOR_NAME, "author email": AUTHOR_EMAIL, "committer name": "Ada Author",
               "committer email": "ada@example.org", "key name": "ada-author", "key fingerprint": fp,
               "public key": body, "tree id": repo.git("rev-parse", "HEAD^{tree}").strip(),
               **{f"commit {c[:8]}": c for c in commits}, "abbreviated commit": commits[0][:10]}
    assert found(root / BUNDLE, needles) == []
    with zipfile.ZipFile(root / BUNDLE) as zf:
        names = zf.namelist()
        tar = tarfile.open(fileobj=io.BytesIO(zf.read("source.tar")))
        archived = tar.getnames()
        config = tar.extractfile("provenance.yaml").read().decode()  # type: ignore[union-attr]
    assert "keys/anonymous.pub" in names and "anonymous.json" in names and "keys/ada-author.pub" not in names
    assert "paper/authors.tex" not in archived and "keys/ada-author.pub" not in archived and ".git" not in archived
    assert "name: Author 1" in config and "email: author-1@anonymous.invalid" in config
    assert (root / REVEAL).stat().st_mode & 0o777 == 0o600
    text = subprocess.run(["pdftotext", "build/paper.pdf", "-"], cwd=root, capture_output=True, text=True).stdout
    assert "Anonymous authors" in text and "This is an anonymous submission" in text
    assert "Key made for this anonymous submission: `SHA256:" in (root / "build/disclosure.md").read_text()


def test_the_anonymous_build_fails_naming_the_author_in_the_pdf_text_and_metadata(built: Repo) -> None:
    main = built.path / "paper/main.tex"
    main.write_text(main.read_text().replace("\\usepackage[hidelinks]{hyperref}",
                                             "\\usepackage[hidelinks]{hyperref}\n\\hypersetup{pdfauthor={Ada Author}}"))
    built.commit("Add the PDF author", date="2026-01-03T00:00:00Z")
    proc = run_doit(built.path, "build", env=ANONYMOUS)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert f'build/paper.pdf (text, page 1): author name "{AUTHOR_NAME}"' in out
    assert re.search(r'build/paper\.pdf \(metadata /Author\): contributor name "Ada Author"', out), out
    assert "Traceback" not in out
    assert not (built.path / "dist").exists()


def test_an_anonymous_bundle_rebuilds_byte_for_byte(anonymous_example: tuple[Path, Path]) -> None:
    root, _ = anonymous_example
    proc = run_cli(root, "verify", BUNDLE, "--rebuild")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok   rebuild: build/paper.pdf is byte-identical" in proc.stdout
    assert "ok   rebuild: build/disclosure.tex is byte-identical" in proc.stdout


def test_named_builds_before_and_after_an_anonymous_one_are_byte_identical(built: Repo) -> None:
    make_double_blind(built)
    assert run_doit(built.path, "build").returncode == 0
    named = {n: (built.path / n).read_bytes() for n in OUTPUTS}
    assert AUTHOR_NAME in subprocess.run(["pdftotext", "build/paper.pdf", "-"], cwd=built.path,
                                         capture_output=True, text=True).stdout
    proc = run_doit(built.path, "build", env=ANONYMOUS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    record = (built.path / "build/record.json").read_text()
    assert '"commit":"salted-sha256:' in record and built.git("rev-parse", "HEAD").strip() not in record
    assert run_doit(built.path, "build", env={"PAPERPROV_ANONYMOUS": "0"}).returncode == 0
    assert {n: (built.path / n).read_bytes() for n in OUTPUTS} == named
    # ... and the named submission is what it always was: the authors' keys, the git archive.
    assert run_doit(built.path, "submission").returncode == 0
    with zipfile.ZipFile(built.path / BUNDLE) as zf:
        assert "keys/ada-author.pub" in zf.namelist() and "anonymous.json" not in zf.namelist()
        tar = tarfile.open(fileobj=io.BytesIO(zf.read("source.tar")))
        assert tar.pax_headers.get("comment") == built.git("rev-parse", "HEAD").strip()
        assert "paper/authors.tex" in tar.getnames()
    assert not (built.path / REVEAL).exists()


def test_an_anonymous_attestation_is_not_co_signed_with_a_long_term_key(anonymous: Repo) -> None:
    proc = run_cli(anonymous.path, "sign", "--add")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "paperprov: " + str(anonymous.path / "build/attestation.intoto.jsonl") + ": an anonymous submission's "
        "attestation is signed by its own key only; sign the reveal file instead: paperprov reveal sign"]


def test_an_anonymous_build_is_a_no_op_the_second_time(anonymous: Repo) -> None:
    proc = run_doit(anonymous.path, "build", env=ANONYMOUS)
    assert proc.returncode == 0
    assert [ln for ln in proc.stdout.splitlines() if ln.startswith(".  ")] == []  # nothing ran again


def test_a_source_file_naming_an_author_is_a_warning_then_a_refusal(anonymous: Repo) -> None:
    anonymous.commit("Notes", {"NOTES.md": f"Ask {AUTHOR_EMAIL} about the data.\n"}, date="2026-01-04T00:00:00Z")
    proc = run_doit(anonymous.path, "build", env=ANONYMOUS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (f'paperprov: warning: NOTES.md names author email "{AUTHOR_EMAIL}"; `doit submission` will refuse it: '
            "list it under submission.anonymize") in proc.stderr
    proc = run_doit(anonymous.path, "submission", env=ANONYMOUS)
    assert proc.returncode != 0
    assert f'source.tar:NOTES.md (line 1): author email "{AUTHOR_EMAIL}"' in proc.stdout + proc.stderr

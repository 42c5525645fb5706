"""`paperprov verify` on bundles, build directories and attestations; tampering; hostile input."""

from __future__ import annotations

import base64
import io
import json
import os
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from provenance.attest import signing
from provenance.attest.submission import write_submission
from provenance.config import load
from provenance.errors import VerifyError
from provenance.verify.checks import verify_path
from provenance.verify.report import format_json, format_text
from tests.helpers import Repo, attested, run_cli


@pytest.fixture
def bundle(repo: Repo) -> Path:
    attested(repo)
    return write_submission(load(repo.path))


def rewrite(src: Path, dst: Path, name: str, mutate: Callable[[bytes], bytes]) -> Path:
    """A copy of a zip with one entry's bytes changed (the rest byte-for-byte)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, mutate(data) if info.filename == name else data)
    return dst


def flip(offset: int) -> Callable[[bytes], bytes]:
    def do(data: bytes) -> bytes:
        i = offset % len(data)
        return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:]
    return do


def failed(report) -> list[str]:
    return [c.what for c in report.failed]


def test_intact_bundle_verifies_every_check_and_notes_integrity_only(bundle: Path) -> None:
    report = verify_path(bundle)
    assert report.ok, format_text(report)
    whats = [c.what for c in report.checks]
    assert any("envelope 1: parses" in w for w in whats) and any("envelope 2: parses" in w for w in whats)
    assert sum("signature by ada (SHA256:" in w for w in whats) == 2
    assert any(w.startswith("subject build/paper.pdf: sha256 matches") for w in whats)
    assert any(w.startswith("record statement: bound") for w in whats)
    assert any(w.startswith("source.tar: git tree") for w in whats)
    assert any("attested input files match" in w for w in whats)
    assert "proves the files are intact" in report.notes[0]
    text = format_text(report)
    assert text.splitlines()[-1].startswith("verified: all") and "FAIL" not in text


def test_cli_exit_codes_and_json(bundle: Path, tmp_path: Path) -> None:
    ok = run_cli(tmp_path, "verify", str(bundle), "--json")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    doc = json.loads(ok.stdout)
    assert doc["ok"] is True and all(c["ok"] for c in doc["checks"])
    bad = rewrite(bundle, tmp_path / "bad.zip", "build/paper.pdf", flip(10))
    proc = run_cli(tmp_path, "verify", str(bad))
    assert proc.returncode == 1 and "FAIL subject build/paper.pdf: sha256 differs" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1].startswith("NOT verified: 1 of")


@pytest.mark.parametrize("entry, offset, expected", [
    ("build/paper.pdf", 5, "subject build/paper.pdf: sha256 differs"),
    ("build/paper.pdf", -1, "subject build/paper.pdf: sha256 differs"),
    ("build/experiments/sq/results.json", 3, "subject build/experiments/sq/results.json: sha256 differs"),
    ("build/disclosure.tex", 0, "subject build/disclosure.tex: sha256 differs"),
    ("build/record.json", 20, "subject build/record.json: sha256 differs"),
])
def test_flipping_a_byte_of_a_file_fails_and_names_it(bundle: Path, tmp_path: Path, entry: str, offset: int, expected: str) -> None:
    report = verify_path(rewrite(bundle, tmp_path / "t.zip", entry, flip(offset)))
    assert not report.ok
    assert any(w.startswith(expected) for w in failed(report)), failed(report)


def test_tampered_record_also_breaks_the_record_binding(bundle: Path, tmp_path: Path) -> None:
    report = verify_path(rewrite(bundle, tmp_path / "t.zip", "build/record.json", flip(20)))
    assert any(w.startswith("record statement: its record digest does not match") for w in failed(report))


def _edit_envelope(field: str) -> Callable[[bytes], bytes]:
    def do(data: bytes) -> bytes:
        lines = data.decode().splitlines()
        env = json.loads(lines[0])
        if field == "payload":
            raw = bytearray(base64.b64decode(env["payload"]))
            raw[raw.index(b"tiny")] ^= 0x01  # a changed byte that keeps the JSON valid
            env["payload"] = base64.b64encode(bytes(raw)).decode()
        else:
            sig = bytearray(base64.b64decode(env["signatures"][0]["sig"]))
            sig[7] ^= 0x01
            env["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()
        lines[0] = json.dumps(env)
        return ("\n".join(lines) + "\n").encode()
    return do


@pytest.mark.parametrize("field", ["payload", "signature"])
def test_tampered_payload_or_signature_fails_the_signature_check(bundle: Path, tmp_path: Path, field: str) -> None:
    report = verify_path(rewrite(bundle, tmp_path / "t.zip", "build/attestation.intoto.jsonl", _edit_envelope(field)))
    bad = failed(report)
    assert any(w.startswith("envelope 1: signature by ada") and "does NOT verify" in w for w in bad), bad
    assert any(w.startswith("envelope 1: 0 distinct trusted key(s) signed; threshold 1") for w in bad)


def _flip_decoded(field: str, offset: int) -> Callable[[bytes], bytes]:
    def do(data: bytes) -> bytes:
        lines = data.decode().splitlines()
        env = json.loads(lines[1])
        holder = env if field == "payload" else env["signatures"][0]
        key = "payload" if field == "payload" else "sig"
        holder[key] = base64.b64encode(flip(offset)(base64.b64decode(holder[key]))).decode()
        lines[1] = json.dumps(env)
        return ("\n".join(lines) + "\n").encode()
    return do


@pytest.mark.parametrize("field", ["payload", "signature"])
def test_flipping_any_byte_of_payload_or_signature_never_passes_or_crashes(bundle: Path, tmp_path: Path, field: str) -> None:
    env = json.loads(zipfile.ZipFile(bundle).read("build/attestation.intoto.jsonl").decode().splitlines()[1])
    size = len(base64.b64decode(env["payload"] if field == "payload" else env["signatures"][0]["sig"]))
    for offset in range(0, size, max(1, size // 25)):
        report = verify_path(rewrite(bundle, tmp_path / "t.zip", "build/attestation.intoto.jsonl",
                                     _flip_decoded(field, offset)))
        assert not report.ok, offset
        assert any(w.startswith("envelope 2") for w in failed(report)), (offset, failed(report))


def test_keyid_is_only_a_hint_the_signature_is_credited_to_the_key_that_made_it(bundle: Path, tmp_path: Path) -> None:
    def rename(data: bytes) -> bytes:
        return data.replace(b'"keyid":"SHA256:', b'"keyid":"SHA256:x', 1)
    report = verify_path(rewrite(bundle, tmp_path / "t.zip", "build/attestation.intoto.jsonl", rename))
    assert report.ok and sum("signature by ada" in c.what for c in report.checks) == 2


def test_tampered_source_archive_fails_the_source_checks(bundle: Path, tmp_path: Path) -> None:
    def edit_tar(data: bytes) -> bytes:
        out = io.BytesIO()
        with tarfile.open(fileobj=io.BytesIO(data)) as tin, tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT,
                                                                         pax_headers=tin.pax_headers) as tout:
            for m in tin.getmembers():
                body = tin.extractfile(m).read() if m.isfile() else None
                if m.name == "paper/main.tex":
                    body = body.replace(b"Hello", b"Hallo")
                tout.addfile(m, io.BytesIO(body) if body is not None else None)
        return out.getvalue()
    bad = failed(verify_path(rewrite(bundle, tmp_path / "t.zip", "source.tar", edit_tar)))
    assert any(w.startswith("source.tar: its git tree is ") for w in bad), bad
    assert any("differ or missing: paper/main.tex" in w for w in bad), bad


def test_trusted_keys_give_authenticity_and_a_stranger_key_is_not_counted(bundle: Path, repo: Repo, tmp_path: Path) -> None:
    report = verify_path(bundle, trusted=repo.path / "keys" / "ada.pub")
    assert report.ok and not report.notes
    stranger = signing.generate(tmp_path / "s", "mallory")
    (tmp_path / "trusted").mkdir()
    (tmp_path / "trusted" / "mallory.pub").write_text(stranger.public_line + "\n")
    report = verify_path(bundle, trusted=tmp_path / "trusted")
    assert any("0 distinct trusted key(s) signed; threshold 1" in w for w in failed(report))
    assert any("untrusted key SHA256:" in n for n in report.notes)


def test_threshold_needs_distinct_cosigners_and_sign_add_is_idempotent(repo: Repo, tmp_path: Path) -> None:
    att = attested(repo)
    assert not verify_path(repo.path, threshold=2).ok
    bob_key = tmp_path / "bob"
    bob = signing.generate(bob_key, "bob")
    env = {"PAPERPROV_SIGNING_KEY": str(bob_key), "PAPERPROV_SIGNING_NAME": "bob"}
    for _ in range(2):
        proc = run_cli(repo.path, "sign", "--add", env=env)
        assert proc.returncode == 0, proc.stderr
    assert bob.keyid in proc.stdout and "signatures per envelope: 2" in proc.stdout
    assert (repo.path / "keys/bob.pub").is_file()  # written for the reviewer's default trust
    assert all(len(signing.parse_envelope(ln, "t").signatures) == 2 for ln in att.read_text().splitlines())
    report = verify_path(repo.path, threshold=2)
    assert report.ok, format_text(report)
    assert any("2 distinct trusted key(s) signed; threshold 2" in c.what for c in report.checks)
    assert not verify_path(repo.path, threshold=3).ok


def test_sign_add_names_the_committed_key_it_signed_with(repo: Repo, tmp_path: Path) -> None:
    """With only PAPERPROV_SIGNING_KEY set, the message named the git user, not the owner
    of keys/bob.pub whose key signed (which is what verify then shows)."""
    attested(repo)
    bob = signing.generate(tmp_path / "bob", "bob")
    (repo.path / "keys/bob.pub").write_text(bob.public_line + "\n")
    proc = run_cli(repo.path, "sign", "--add", env={"PAPERPROV_SIGNING_KEY": str(tmp_path / "bob")})
    assert proc.returncode == 0, proc.stderr
    assert f"with {bob.keyid} (bob);" in proc.stdout
    assert any(f"signature by bob ({bob.keyid}) verifies" in c.what for c in verify_path(repo.path).checks)


def test_sign_add_refuses_when_the_subjects_differ_from_the_signers_build(repo: Repo, tmp_path: Path) -> None:
    attested(repo)
    (repo.path / "build/paper.pdf").write_bytes(b"%PDF-1.5 not what was attested")
    signing.generate(tmp_path / "bob", "bob")
    proc = run_cli(repo.path, "sign", "--add", "--name", "bob", env={"PAPERPROV_SIGNING_KEY": str(tmp_path / "bob")})
    assert proc.returncode == 1 and "refusing to sign: build/paper.pdf differ" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_sign_add_given_the_submission_zip_says_to_sign_the_attestation_inside(bundle: Path, tmp_path: Path) -> None:
    signing.generate(tmp_path / "bob", "bob")
    proc = run_cli(bundle.parent.parent, "sign", "--add", "--name", "bob", str(bundle),
                   env={"PAPERPROV_SIGNING_KEY": str(tmp_path / "bob")})
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"paperprov: {bundle}: a zip, not an attestation; sign the build/attestation.intoto.jsonl inside it "
        "(unzip it, or sign your own build's), then rebuild the submission"]


def test_build_directory_and_attestation_file_paths(repo: Repo) -> None:
    attested(repo)
    for target in (repo.path, repo.path / "build", repo.path / "build/attestation.intoto.jsonl"):
        report = verify_path(target)
        assert report.ok, format_text(report)
        assert any("attested input files match the working tree" in c.what for c in report.checks)
    repo.write("experiments/sq.py", "print('cubes')\n")
    assert any("differ or missing: experiments/sq.py" in w for w in failed(verify_path(repo.path)))


def test_unzipped_submission_directory_checks_its_source_tar(bundle: Path, tmp_path: Path) -> None:
    """A reviewer who unzips the submission and verifies the directory gets the zip's
    checks (source.tar against the attested commit), not a comparison with a working
    tree that is not there."""
    out = tmp_path / "unzipped"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(out)
    report = verify_path(out)
    assert report.ok, format_text(report)
    assert any(c.what.startswith("source.tar: git tree") for c in report.checks)
    (out / "build/paper.pdf").write_bytes((out / "build/paper.pdf").read_bytes() + b"%x")
    assert [w for w in failed(verify_path(out)) if not w.startswith("subject build/paper.pdf")] == []


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return path


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/passwd", "build/../../x", "C:/windows/x", "a//b", "a\\..\\b"])
def test_zip_entries_with_unsafe_names_are_refused(tmp_path: Path, name: str) -> None:
    bad = _zip(tmp_path / "bad.zip", {"build/attestation.intoto.jsonl": b"{}", name: b"x"})
    with pytest.raises(VerifyError, match="refusing entry"):
        verify_path(bad)
    proc = run_cli(tmp_path, "verify", str(bad))
    assert proc.returncode == 1 and proc.stderr.startswith("paperprov: ") and "Traceback" not in proc.stderr
    assert not (tmp_path.parent / "evil.txt").exists()


def test_zip_bomb_is_refused_before_decompressing(tmp_path: Path) -> None:
    bomb = _zip(tmp_path / "bomb.zip", {"build/attestation.intoto.jsonl": b"{}", "build/paper.pdf": bytes(8 << 20)})
    with pytest.raises(VerifyError, match="expands more than 200x"):
        verify_path(bomb)


def test_bundle_over_the_decompressed_size_budget_is_refused(tmp_path: Path, bundle: Path, monkeypatch) -> None:
    import provenance.verify.bundle as v

    monkeypatch.setattr(v, "MAX_TOTAL", 1000)  # a small budget stands in for 2 GiB
    with pytest.raises(VerifyError, match="GiB once decompressed"):
        verify_path(bundle)


@pytest.mark.parametrize("content", [b"not json at all\n", b"\xff\xfe\x00garbage", b"{}\n", b"[]\n",
                                     b'{"payload":"!!","payloadType":"x","signatures":[]}\n', b""])
def test_malformed_attestation_files_fail_cleanly(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "attestation.intoto.jsonl"
    path.write_bytes(content)
    report = verify_path(path)
    assert not report.ok
    proc = run_cli(tmp_path, "verify", str(path))
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    json.loads(format_json(report))


def test_missing_path_and_bad_threshold_are_one_line_errors(tmp_path: Path) -> None:
    proc = run_cli(tmp_path, "verify", str(tmp_path / "nope.zip"))
    assert proc.returncode == 1 and "no such file or directory" in proc.stderr
    proc = run_cli(tmp_path, "verify", str(tmp_path), "--threshold", "0")
    assert proc.returncode == 1 and "--threshold must be at least 1" in proc.stderr
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"PK\x03\x04" + os.urandom(64))
    proc = run_cli(tmp_path, "verify", str(garbage))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


TEX_MAIN = """\\documentclass{article}
\\begin{document}
\\section{Intro}\\label{sec:intro}
Hello.
\\input{../build/experiments/sq/table}
\\appendix
\\input{../build/disclosure}
\\end{document}
"""
TEX_SCRIPT = """import argparse, pathlib
p = argparse.ArgumentParser(); p.add_argument("--out"); p.add_argument("--seed", type=int)
a = p.parse_args()
pathlib.Path(a.out, "table.tex").write_text("\\\\begin{tabular}{c}1\\\\\\\\4\\\\end{tabular}\\n")
"""


def test_doit_build_submission_and_verify_rebuild_end_to_end(repo: Repo, needs_tex: None) -> None:
    from tests.helpers import ROOT, run_doit

    repo.commit("Tiny TeX paper", {
        "provenance.yaml": "paper: {name: tiny, main: paper/main.tex}\nexperiments:\n"
                           "  - {name: sq, script: experiments/sq.py, outputs: [table.tex]}\n",
        "paper/main.tex": TEX_MAIN,
        "experiments/sq.py": TEX_SCRIPT,
        "dodo.py": (ROOT / "dodo.py").read_text(),
        ".gitignore": "build/\ndist/\n.doit.db*\n__pycache__/\n",
    }, date="2026-01-02T03:04:05Z")
    first = run_doit(repo.path, "submission")
    assert first.returncode != 0
    out = first.stdout + first.stderr
    assert "generated signing key" in out and "git add keys/ada-author.pub && git commit" in out
    assert "Traceback" not in out
    dirty = run_doit(repo.path, "submission", "--allow-dirty")
    assert dirty.returncode == 0, dirty.stdout + dirty.stderr
    repo.commit("Add signing key", date="2026-01-02T05:00:00Z")
    done = run_doit(repo.path, "submission")
    assert done.returncode == 0, done.stdout + done.stderr
    zip_path = repo.path / "dist/tiny-submission.zip"
    proc = run_cli(repo.path, "verify", str(zip_path), "--rebuild", "--trusted-keys", "keys/")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "note rebuild: ran the authors' build in a bubblewrap sandbox" in proc.stdout
    assert "ok   rebuild: build/paper.pdf is byte-identical" in proc.stdout
    assert "ok   source.tar: git tree" in proc.stdout


@pytest.mark.parametrize("predicate", [
    [], "x", {"buildDefinition": []}, {"buildDefinition": {"resolvedDependencies": "abc"}},
    {"buildDefinition": {"resolvedDependencies": [1, None, {"name": 5}, {"name": "source", "digest": "x"}]},
     "internalParameters": 7, "record": {"digest": []}},
])
def test_signed_statements_of_unexpected_shape_fail_without_a_traceback(repo: Repo, tmp_path: Path, predicate) -> None:
    attested(repo)
    att = repo.path / "build/attestation.intoto.jsonl"
    key = Path(os.environ["XDG_CONFIG_HOME"]) / "paperprov/keys/ada"
    signer = signing.load_signer(key)
    lines = []
    for line in att.read_text().splitlines():
        st = json.loads(signing.parse_envelope(line, "t").payload)
        st["predicate"] = predicate
        lines.append(signing.Envelope(json.dumps(st).encode(), signing.PAYLOAD_TYPE, ()).signed_by(signer).to_line())
    att.write_text("\n".join(lines) + "\n")
    report = verify_path(repo.path, rebuild=True)
    assert not report.ok
    proc = run_cli(repo.path, "verify", ".", "--json")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and json.loads(proc.stdout)["ok"] is False


def test_source_archive_with_a_file_where_a_directory_should_be_fails_without_a_traceback(bundle: Path, tmp_path: Path) -> None:
    def add_clash(data: bytes) -> bytes:  # "evil" is a file, and "evil/x" too: no git tree has that
        out = io.BytesIO()
        with tarfile.open(fileobj=io.BytesIO(data)) as tin, tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT,
                                                                         pax_headers=tin.pax_headers) as tout:
            for m in tin.getmembers():
                tout.addfile(m, tin.extractfile(m) if m.isfile() else None)
            for name in ("evil", "evil/x"):
                m = tarfile.TarInfo(name)
                m.size = 1
                tout.addfile(m, io.BytesIO(b"x"))
        return out.getvalue()
    bad = rewrite(bundle, tmp_path / "t.zip", "source.tar", add_clash)
    proc = run_cli(tmp_path, "verify", str(bad))
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    assert "refusing entry 'evil/x' (its parent 'evil' is a file)" in proc.stdout + proc.stderr

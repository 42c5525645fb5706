"""Reading a hostile submission: every zip and tar error is one line, sizes come from the
limits before anything is read, and entries no statement attests are reported."""

from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from provenance.attest.submission import write_submission
from provenance.config import load
from provenance.errors import VerifyError
from provenance.verify.checks import verify_path
from tests.helpers import IN_CI, Repo, attested, run_cli


@pytest.fixture
def bundle(repo: Repo) -> Path:
    attested(repo)
    return write_submission(load(repo.path))


def one_line_refusal(path: Path, needle: str) -> None:
    proc = run_cli(path.parent, "verify", str(path))
    assert proc.returncode == 1, proc.stdout
    assert proc.stdout == "" and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert needle in proc.stderr, proc.stderr


def patched(src: Path, dst: Path, entry: str, patch) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the zip with bytes changed in place: patch(data, info) -> data."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo(entry)
    dst.write_bytes(bytes(patch(data, info)))
    return dst


def test_corrupt_deflate_data_is_one_line(bundle: Path, tmp_path: Path) -> None:
    def corrupt(data: bytearray, info: zipfile.ZipInfo) -> bytearray:
        (name_len, extra_len) = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
        start = info.header_offset + 30 + name_len + extra_len
        for i in range(start + 2, start + info.compress_size - 2, 7):
            data[i] ^= 0x55
        return data
    bad = patched(bundle, tmp_path / "bad.zip", "build/record.json", corrupt)
    one_line_refusal(bad, "build/record.json: cannot read it from the bundle")


def test_unsupported_compression_method_is_refused_before_reading(bundle: Path, tmp_path: Path) -> None:
    def method99(data: bytearray, info: zipfile.ZipInfo) -> bytearray:
        data[info.header_offset + 8:info.header_offset + 10] = struct.pack("<H", 99)
        central = data.index(b"PK\x01\x02" + bytes(data[data.index(b"PK\x01\x02") + 4:][:0]))
        while True:  # the central directory record of this entry
            (n,) = struct.unpack("<H", data[central + 28:central + 30])
            if data[central + 46:central + 46 + n].decode() == info.filename:
                data[central + 10:central + 12] = struct.pack("<H", 99)
                return data
            central = data.index(b"PK\x01\x02", central + 4)
    bad = patched(bundle, tmp_path / "bad.zip", "build/paper.pdf", method99)
    one_line_refusal(bad, "entry 'build/paper.pdf' uses compression method 99; a submission uses only stored or deflate")


def test_local_header_naming_another_file_is_refused(bundle: Path, tmp_path: Path) -> None:
    def rename(data: bytearray, info: zipfile.ZipInfo) -> bytearray:
        at = info.header_offset + 30
        data[at:at + 5] = b"BUILD"  # the central directory still says build/...
        return data
    bad = patched(bundle, tmp_path / "bad.zip", "build/paper.pdf", rename)
    one_line_refusal(bad, "entry 'build/paper.pdf': its local header names another file")


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.999])
def test_a_truncated_zip_is_recognised_as_a_zip(bundle: Path, tmp_path: Path, keep: float) -> None:
    data = bundle.read_bytes()
    bad = tmp_path / "cut.zip"
    bad.write_bytes(data[: int(len(data) * keep)])
    one_line_refusal(bad, "a zip that cannot be read (truncated or corrupt?")


def test_a_symlink_entry_is_refused(bundle: Path, tmp_path: Path) -> None:
    bad = tmp_path / "link.zip"
    shutil.copy(bundle, bad)
    with zipfile.ZipFile(bad, "a") as zf:
        info = zipfile.ZipInfo("keys/evil.pub")
        info.create_system = 3
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "/etc/passwd")
    one_line_refusal(bad, "entry 'keys/evil.pub' is a symbolic link; a submission holds none")


def sparse_tar(tmp_path: Path) -> bytes:
    if shutil.which("tar") is None:
        if IN_CI:
            pytest.fail("GNU tar missing in CI")
        pytest.skip("tar not installed")
    big = tmp_path / "sparse" / "huge.bin"
    big.parent.mkdir()
    with open(big, "wb") as fh:
        fh.truncate(20 << 30)  # 20 GiB of holes: nothing on disk
    out = tmp_path / "sparse.tar"
    subprocess.run(["tar", "--sparse", "--format=gnu", "-cf", str(out), "-C", str(big.parent), "huge.bin"], check=True)
    assert out.stat().st_size < 64 << 10
    return out.read_bytes()


def test_a_sparse_source_tar_member_is_refused_by_its_declared_size(bundle: Path, tmp_path: Path) -> None:
    tar = sparse_tar(tmp_path)
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bundle) as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, tar if info.filename == "source.tar" else zin.read(info))
    proc = run_cli(tmp_path, "verify", str(bad))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "source.tar: entry 'huge.bin' is a sparse file of 21474836480 bytes" in proc.stderr


def test_unattested_entries_are_a_warning_and_an_error_with_strict(bundle: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra.zip"
    shutil.copy(bundle, extra)
    with zipfile.ZipFile(extra, "a") as zf:
        zf.writestr("keys/evil.pub", "ssh-ed25519 AAAA evil\n")
        for i in range(30):
            zf.writestr(f"junk/{i:03}.txt", "x")
    report = verify_path(extra, trusted=None)
    warning = [n for n in report.notes if n.startswith("warning: ")]
    assert warning == ["warning: 31 bundle entries that no statement attests: junk/000.txt, junk/001.txt, junk/002.txt, "
                       "junk/003.txt, junk/004.txt, junk/005.txt, junk/006.txt, junk/007.txt, junk/008.txt, "
                       "junk/009.txt and 21 more; they were not checked (--strict makes this an error)"]
    proc = run_cli(tmp_path, "verify", str(extra), "--strict")
    assert proc.returncode == 1
    assert "FAIL 31 bundle entries that no statement attests: " in proc.stdout and "(--strict refuses them)" in proc.stdout


def test_an_intact_bundle_has_no_unattested_entry_even_with_strict(bundle: Path, tmp_path: Path) -> None:
    proc = run_cli(tmp_path, "verify", str(bundle), "--strict")
    assert proc.returncode == 0, proc.stdout
    assert "warning" not in proc.stdout


def test_a_file_that_is_no_attestation_reports_a_few_lines_not_thousands(tmp_path: Path) -> None:
    junk = tmp_path / "attestation.intoto.jsonl"
    junk.write_text("".join(f"line {i}\n" for i in range(5000)))
    proc = run_cli(tmp_path, "verify", str(junk))
    assert proc.returncode == 1
    assert proc.stdout.count("FAIL") < 20
    assert "5000 of 5000 lines are not readable envelopes (not an attestation?)" in proc.stdout


def test_tar_member_sizes_are_budgeted_before_reading(bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unzipped submission: no zip limit applies, so source.tar's own headers are
    budgeted (a small budget stands in for 2 GiB)."""
    import provenance.verify.bundle as b

    unzipped = tmp_path / "unzipped"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(unzipped)
    with tarfile.open(unzipped / "source.tar", "a") as tf:
        m = tarfile.TarInfo("data.bin")
        m.size = 4 << 20
        tf.addfile(m, io.BytesIO(os.urandom(4 << 20)))
    monkeypatch.setattr(b, "MAX_TOTAL", 3 << 20)
    with pytest.raises(VerifyError, match="source.tar: more than 0 GiB of files; refusing it"):
        verify_path(unzipped)

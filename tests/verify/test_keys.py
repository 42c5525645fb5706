"""The trusted-keys directory is read as carefully as a bundle."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from provenance.attest.submission import write_submission
from provenance.config import load
from tests.helpers import Repo, attested, run_cli


@pytest.fixture
def trusted(repo: Repo, tmp_path: Path) -> tuple[Path, Path]:
    attested(repo)
    bundle = write_submission(load(repo.path))
    keys = tmp_path / "trusted"
    keys.mkdir()
    (keys / "ada.pub").write_text((repo.path / "keys" / "ada.pub").read_text())
    return bundle, keys


def verify(bundle: Path, keys: Path) -> tuple[int, str, str]:
    proc = run_cli(bundle.parent, "verify", str(bundle), "--trusted-keys", str(keys))
    return proc.returncode, proc.stdout, proc.stderr


def test_trusted_keys_directory_verifies(trusted: tuple[Path, Path]) -> None:
    code, out, _ = verify(*trusted)
    assert code == 0, out
    assert "signature by ada (" in out


def test_a_private_key_in_the_trusted_keys_directory_is_one_line(trusted: tuple[Path, Path]) -> None:
    bundle, keys = trusted
    key = Path(os.environ["XDG_CONFIG_HOME"]) / "paperprov/keys/ada"
    (keys / "ada").write_bytes(key.read_bytes())
    code, out, err = verify(bundle, keys)
    assert code == 1 and out == ""
    assert err == f"paperprov: {keys / 'ada'}: a private key in the trusted-keys directory; move it out " \
                  "(and treat it as exposed)\n"


def test_a_private_key_named_pub_is_one_line(trusted: tuple[Path, Path]) -> None:
    bundle, keys = trusted
    key = Path(os.environ["XDG_CONFIG_HOME"]) / "paperprov/keys/ada"
    (keys / "bob.pub").write_bytes(key.read_bytes())
    code, _, err = verify(bundle, keys)
    assert code == 1 and err.count("\n") == 1 and "bob.pub: holds a private key" in err


@pytest.mark.parametrize("kind", ["directory", "fifo", "device"])
def test_a_pub_that_is_not_a_file_is_one_line(trusted: tuple[Path, Path], kind: str) -> None:
    bundle, keys = trusted
    sub = keys / "sub.pub"
    if kind == "directory":
        sub.mkdir()
    elif kind == "fifo":
        os.mkfifo(sub)
    else:
        sub.symlink_to("/dev/zero")
    code, _, err = verify(bundle, keys)
    assert code == 1 and err == f"paperprov: {sub}: not a regular file; the trusted-keys directory holds NAME.pub files\n"

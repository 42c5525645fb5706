"""`paperprov keygen` warns when the private keys directory is open to other users."""

from __future__ import annotations

import os
from pathlib import Path

from tests.helpers import Repo, cli


def test_keygen_warns_when_the_keys_directory_is_readable_by_others(repo: Repo) -> None:
    keys = Path(os.environ["XDG_CONFIG_HOME"]) / "paperprov" / "keys"
    keys.mkdir(parents=True)
    keys.chmod(0o755)
    proc = cli(repo.path, "keygen", "--name", "ada")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == (f"paperprov: warning: {keys} is open to other users (mode 0755); run chmod 700 {keys}\n")
    assert (keys / "ada").stat().st_mode & 0o777 == 0o600


def test_keygen_in_a_private_directory_says_nothing_more(repo: Repo) -> None:
    proc = cli(repo.path, "keygen", "--name", "bob")
    assert proc.returncode == 0 and proc.stderr == ""
    keys = Path(os.environ["XDG_CONFIG_HOME"]) / "paperprov" / "keys"
    assert keys.stat().st_mode & 0o777 == 0o700

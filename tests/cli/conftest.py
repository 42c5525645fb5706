"""Fixtures of the command-line tests."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def runtime() -> Iterator[Path]:
    """An XDG_RUNTIME_DIR short enough for a socket path (pytest's tmp_path is not)."""
    path = Path(tempfile.mkdtemp(prefix="pps", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)

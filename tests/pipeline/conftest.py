"""The one-node Slurm cluster the Slurm tests run on, started by scripts/local-slurm.sh.

Needs root and the Debian packages slurm-wlm, munge, slurmdbd, mariadb-server (install.sh
installs them when CI=true or PAPERPROV_SLURM=1) and submitit; without them the tests that
use `cluster` skip on a laptop and fail in CI. Each pytest-xdist worker asks for the
cluster (the script is idempotent and takes a lock); whoever finds it stopped notes that in
the session's temporary directory, and the session stops it at its very end, once no worker
can still be using it. A cluster that was already running is left running.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from tests.helpers import IN_CI, ROOT

SCRIPT = ROOT / "scripts" / "local-slurm.sh"
NEEDED = ("munged", "mariadbd", "slurmdbd", "slurmctld", "slurmd", "sbatch", "sacct")
STARTED = "slurm-started-by-tests"


def _stop() -> None:
    subprocess.run(["bash", str(SCRIPT), "stop"], capture_output=True, timeout=120)


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    missing = [t for t in NEEDED if shutil.which(t) is None]
    try:
        import submitit  # noqa: F401
    except ImportError:
        missing.append("submitit (pip install 'paperprov[slurm]')")
    why = (f"Slurm missing: {', '.join(missing)}" if missing else
           "starting a local Slurm cluster needs root" if os.geteuid() != 0 else "")
    if why:
        if IN_CI:
            pytest.fail(f"{why}; in CI .ci/run must install it (install.sh with CI=true)")
        pytest.skip(why)
    status = subprocess.run(["bash", str(SCRIPT), "status"], capture_output=True, text=True)
    was_running = "stopped" not in status.stdout
    start = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True, timeout=300)
    assert start.returncode == 0, start.stdout + start.stderr
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not was_running and worker:
        (tmp_path_factory.getbasetemp().parent / STARTED).touch()  # the controller's basetemp
    yield
    if not was_running and not worker:
        _stop()  # one process: this is the session's end


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under xdist, the controller ends last: it stops a cluster the workers started."""
    if hasattr(session.config, "workerinput"):
        return  # a worker: others may still use the cluster
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is not None and (factory.getbasetemp() / STARTED).exists():
        _stop()

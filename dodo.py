"""Build this paper with paperprov: `doit build` (or just `doit`); `doit list` shows the tasks."""

from provenance.tasks import (  # noqa: F401  (doit collects task_* names; never import *)
    task_attest,
    task_build,
    task_checks,
    task_disclosure,
    task_experiments,
    task_paper,
    task_record,
    task_report,
    task_submission,
)

DOIT_CONFIG = {
    "default_tasks": ["build"],
    "backend": "sqlite3",
    "dep_file": ".doit.db",
    "verbosity": 1,
    # Independent tasks run side by side in threads: experiments on Slurm are submitted
    # together and waited for together; local ones share this machine's cores.
    "par_type": "thread",
    "num_process": 32,
}

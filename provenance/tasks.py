"""The doit task creators a paper's dodo.py imports: `from provenance.tasks import task_build, ...`.

This is the pipeline's public face (DESIGN.md: dodo.py imports from `provenance.tasks`):
the creators live in provenance/pipeline/tasks.py, and a dodo.py written by any version
of `paperprov init` keeps working when they move.
"""

from provenance.pipeline.guard import enter
from provenance.pipeline.tasks import (
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

__all__ = ["task_attest", "task_build", "task_checks", "task_disclosure", "task_experiments", "task_paper",
           "task_record", "task_report", "task_submission"]

# A `doit` process imports this before it opens its database: take the build lock and
# check the database now (pipeline/guard.py); anything else importing it is unaffected.
enter()

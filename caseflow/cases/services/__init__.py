"""Every change to a case: one function per business action.

Each public function checks the actor's role, validates before it writes, writes the change,
its timeline event and its audit entry in one transaction, and bumps `Case.version` so a
stale writer is refused (`Conflict`) instead of silently overwriting.

One module per responsibility: `opening`, `editing` (details, another customer), `status`
(moving, resolving, closing, reopening), `assignment`, `timeline` (entries and files, other
apps' system entries), `supplies`; the steps they share in `_steps` (lock, save with the next
version, system entry) and `_checks`. Import the services from here.
"""

from caseflow.cases.services._checks import CLOCK_SKEW, TEXT_LIMITS
from caseflow.cases.services.assignment import assign_case
from caseflow.cases.services.editing import EDITABLE_FIELDS, move_case, update_case
from caseflow.cases.services.opening import open_case, suggest_case_type
from caseflow.cases.services.status import change_status, close_case, reopen_case, resolve_case
from caseflow.cases.services.supplies import add_supply, remove_supply
from caseflow.cases.services.timeline import Upload, record_event, record_system_event

__all__ = [
    "CLOCK_SKEW",
    "EDITABLE_FIELDS",
    "TEXT_LIMITS",
    "Upload",
    "add_supply",
    "assign_case",
    "change_status",
    "close_case",
    "move_case",
    "open_case",
    "record_event",
    "record_system_event",
    "remove_supply",
    "reopen_case",
    "resolve_case",
    "suggest_case_type",
    "update_case",
]

"""The public change log of an agreement, read from the history django-simple-history keeps: what
changed and when (who only for staff). Bounded: the latest entries, read in a fixed number of
queries whatever the length of the history."""

from dataclasses import dataclass, field
from datetime import datetime

LIMIT = 20

_ACTIONS = {"+": "added", "~": "changed", "-": "removed"}


@dataclass
class LogEntry:
    at: datetime
    subject: str  # "Agreement" or 'Event "IRS begins sharing"'
    action: str  # added, changed, removed
    fields: list = field(default_factory=list)  # verbose names of the fields that changed
    user: object = None
    reason: str = ""


def _own_fields(model):
    return [
        f for f in model._meta.concrete_fields if f.name not in ("id", "created_at", "updated_at")
    ]


def agreement_change_log(agreement, *, limit=LIMIT) -> list:
    """The latest changes to the agreement's own record and to the events on its timeline,
    newest first. Three queries."""
    from .models import Agreement, Event

    fields = _own_fields(Agreement)
    # One version more than shown, so the oldest shown can be compared with the one before it.
    versions = list(
        agreement.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    entries = []
    for index, version in enumerate(versions[:limit]):
        previous = versions[index + 1] if index + 1 < len(versions) else None
        changed = []
        if previous is not None and version.history_type == "~":
            changed = [
                f.verbose_name
                for f in fields
                if getattr(version, f.attname) != getattr(previous, f.attname)
            ]
        entries.append(
            LogEntry(
                at=version.history_date,
                subject="Agreement",
                action=_ACTIONS.get(version.history_type, "changed"),
                fields=changed if previous is not None else [],
                user=version.history_user,
                reason=version.history_change_reason or "",
            )
        )
    event_versions = (
        Event.history.filter(agreement_id=agreement.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    for version in event_versions:
        entries.append(
            LogEntry(
                at=version.history_date,
                subject=f"Event “{version.title}”",
                action=_ACTIONS.get(version.history_type, "changed"),
                user=version.history_user,
                reason=version.history_change_reason or "",
            )
        )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]

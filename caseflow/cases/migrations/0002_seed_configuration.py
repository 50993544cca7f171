"""Default configuration: event types (source 001), priorities and a starter set of codes
(the triage of source 003). All of it is editable in the admin afterwards."""

from django.db import migrations

EVENT_TYPES = [
    # code, name, category, is_system
    ("call_in", "Call in", "call", False),
    ("call_out", "Call out", "call", False),
    ("email_in", "E-mail in", "email", False),
    ("email_out", "E-mail out", "email", False),
    ("sms_in", "SMS in", "sms", False),
    ("sms_out", "SMS out", "sms", False),
    ("scheduling", "Scheduling", "scheduling", False),
    ("note", "Note", "note", False),
    ("created", "Case opened", "system", True),
    ("status_changed", "Status changed", "system", True),
    ("assigned", "Assigned", "system", True),
    ("field_changed", "Details changed", "system", True),
    ("supply_added", "Supply added", "system", True),
    ("supply_removed", "Supply removed", "system", True),
    ("resolved", "Resolved", "system", True),
    ("closed", "Closed", "system", True),
    ("reopened", "Reopened", "system", True),
]

PRIORITIES = [
    # code, name, rank, response minutes, resolution minutes, default
    ("P1", "Critical", 1, 60, 8 * 60, False),
    ("P2", "High", 2, 4 * 60, 2 * 24 * 60, False),
    ("P3", "Normal", 3, 8 * 60, 5 * 24 * 60, True),
    ("P4", "Low", 4, 24 * 60, 10 * 24 * 60, False),
]

CODES = {
    "reason": [
        ("USER", "User error", [("USER-OP", "Operating error"), ("USER-DOC", "Documentation unclear")]),
        ("CONF", "Configuration", [("CONF-SET", "Wrong setting"), ("CONF-NET", "Network / connection")]),
        ("SOFT", "Software", [("SOFT-BUG", "Software defect"), ("SOFT-WISH", "Feature request")]),
        ("HARD", "Hardware", [("HARD-DEF", "Defective component"), ("HARD-WEAR", "Wear and tear"),
                              ("HARD-TRANS", "Transport damage")]),
    ],
    "resolution": [
        ("ADV", "Advice given", [("ADV-PHONE", "Solved on the phone"), ("ADV-WORK", "Workaround")]),
        ("FIX", "Fixed", [("FIX-CONF", "Reconfigured"), ("FIX-UPD", "Software update"),
                          ("FIX-PART", "Part replaced")]),
        ("RMA", "Returned for repair", [("RMA-REP", "Repaired"), ("RMA-EXCH", "Exchanged")]),
        ("VEND", "Vendor", [("VEND-CR", "Change request raised"), ("VEND-REJ", "Vendor rejected")]),
        ("NONE", "No fault found", [("NONE-NFF", "No fault found"), ("NONE-DUP", "Duplicate")]),
    ],
}  # fmt: skip


def seed(apps, schema_editor):
    EventType = apps.get_model("cases", "EventType")
    Priority = apps.get_model("cases", "Priority")
    Code = apps.get_model("cases", "Code")
    for code, name, category, is_system in EVENT_TYPES:
        EventType.objects.get_or_create(
            code=code, defaults={"name": name, "category": category, "is_system": is_system}
        )
    for code, name, rank, response, resolution, default in PRIORITIES:
        Priority.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "rank": rank,
                "response_minutes": response,
                "resolution_minutes": resolution,
                "is_default": default,
            },
        )
    for kind, generals in CODES.items():
        for code, name, specifics in generals:
            general, _ = Code.objects.get_or_create(kind=kind, code=code, defaults={"name": name})
            for sub_code, sub_name in specifics:
                Code.objects.get_or_create(
                    kind=kind, code=sub_code, defaults={"name": sub_name, "parent": general}
                )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

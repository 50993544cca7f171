"""E-mail HTML stored before issue 11 was sanitised by nh3 at intake without bounds, and
sanitised again on every page view (minutes for deeply nested HTML). The timeline now shows
stored HTML as it is when it carries the sanitiser's mark: this cleans the HTML of earlier
e-mail events once, with the same bounds as the intake, and marks it; HTML too deep or too
large to keep is dropped from the event (the text and the raw message stay), with a note."""

from django.conf import settings
from django.db import migrations

BATCH = 500


def sanitise_stored_html(apps, schema_editor):
    from caseflow.channels.inbound.html import SANITISER, clean

    TimelineEvent = apps.get_model("cases", "TimelineEvent")
    events = TimelineEvent.objects.filter(event_type__code="email_in", data__has_key="html")
    last = 0
    while True:
        batch = list(events.filter(pk__gt=last).order_by("pk").only("pk", "data")[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        changed = []
        for event in batch:
            data = event.data
            if not isinstance(data, dict) or data.get("html_sanitiser") == SANITISER:
                continue
            cleaned = clean(
                str(data.get("html") or ""),
                want_text=False,
                max_chars=settings.MAIL_HTML_MAX_CHARS,
            )
            if cleaned.html:
                data["html"] = cleaned.html
                data["html_sanitiser"] = SANITISER
            else:
                data.pop("html", None)
                if cleaned.problem:
                    data["notes"] = [*(data.get("notes") or []), cleaned.problem][-10:]
            changed.append(event)
        TimelineEvent.objects.bulk_update(changed, ["data"])


class Migration(migrations.Migration):
    atomic = False  # batches commit one by one; a second run skips what is marked

    dependencies = [
        ("channels", "0008_neutral_web_confirmation"),
        ("cases", "0005_lean_foreign_key_indexes"),
    ]

    operations = [
        migrations.RunPython(sanitise_stored_html, migrations.RunPython.noop, elidable=True),
    ]

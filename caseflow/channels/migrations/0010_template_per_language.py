"""Message templates: one row per code with its name, subject and text per language
(django-modeltranslation's `name_en`, `subject_de`, `body_es` …) instead of one row per
code and language. The rows of a code are merged into its English row (else its oldest);
an inactive translation of an active template is dropped (it was not used: the English one
was). Also the "Web form" event type (migration 0004) in German and Spanish."""

from django.db import migrations, models
from django.db.models import F, Q

LANGUAGES = ("en", "de", "es")
TRANSLATED = ("name", "subject", "body")


def merge_languages(apps, schema_editor):
    MessageTemplate = apps.get_model("channels", "MessageTemplate")
    by_code = {}
    for row in MessageTemplate.objects.order_by("id"):
        by_code.setdefault(row.code, []).append(row)
    for rows in by_code.values():
        keeper = next((r for r in rows if r.language == "en"), rows[0])
        active = [r for r in rows if r.active] or [keeper]
        for row in rows:
            if row.language not in LANGUAGES or (row is not keeper and row not in active):
                continue
            for name in TRANSLATED:
                setattr(keeper, f"{name}_{row.language}", getattr(row, name))
        if keeper.language != "en":  # no English row: the readers' fallback is this one
            for name in TRANSLATED:
                setattr(keeper, f"{name}_en", getattr(keeper, name))
        keeper.active = any(r.active for r in rows)
        keeper.save()
        MessageTemplate.objects.filter(pk__in=[r.pk for r in rows if r is not keeper]).delete()


WEB_FORM = ("Web form", "Webformular", "Formulario web")


def translate_web_form_event_type(apps, schema_editor):
    EventType = apps.get_model("cases", "EventType")
    EventType.objects.filter(Q(name_en__isnull=True) | Q(name_en="")).update(name_en=F("name"))
    EventType.objects.filter(code="web_in", name_en=WEB_FORM[0]).update(
        name_de=WEB_FORM[1], name_es=WEB_FORM[2]
    )


class Migration(migrations.Migration):

    dependencies = [
        ('channels', '0009_mail_html_sanitised'),
        ('cases', '0009_names_de_es'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='messagetemplate',
            options={'ordering': ('purpose', 'code')},
        ),
        migrations.AddField(
            model_name='messagetemplate',
            name='body_de',
            field=models.TextField(max_length=20000, null=True, verbose_name='text'),
        ),
        migrations.AddField(
            model_name='messagetemplate',
            name='body_en',
            field=models.TextField(max_length=20000, null=True, verbose_name='text'),
        ),
        migrations.AddField(
            model_name='messagetemplate',
            name='body_es',
            field=models.TextField(max_length=20000, null=True, verbose_name='text'),
        ),
        migrations.AddField(
            model_name='messagetemplate',
            name='name_de',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='messagetemplate',
            name='name_en',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='messagetemplate',
            name='name_es',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='messagetemplate',
            name='subject_de',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='subject'),
        ),
        migrations.AddField(
            model_name='messagetemplate',
            name='subject_en',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='subject'),
        ),
        migrations.AddField(
            model_name='messagetemplate',
            name='subject_es',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='subject'),
        ),
        migrations.RunPython(merge_languages, migrations.RunPython.noop),
        migrations.RunPython(translate_web_form_event_type, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='messagetemplate',
            name='channels_template_code_language',
        ),
        migrations.RemoveField(
            model_name='messagetemplate',
            name='language',
        ),
        migrations.AddConstraint(
            model_name='messagetemplate',
            constraint=models.UniqueConstraint(fields=('code',), name='channels_template_code'),
        ),
    ]

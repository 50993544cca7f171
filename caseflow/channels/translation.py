"""Message templates in every language (django-modeltranslation; see
caseflow/cases/translation.py): `name`, `subject` and `body` per language on one row. A
language without its own text falls back to English, then to any language that has one."""

from modeltranslation.translator import TranslationOptions, register

from caseflow.channels.models import MessageTemplate


@register(MessageTemplate)
class MessageTemplateTranslation(TranslationOptions):
    fields = ("name", "subject", "body")
    fallback_languages = {"default": ("en", "de", "es")}

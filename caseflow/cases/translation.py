"""The cases' configuration in every language (django-modeltranslation): `name_en`,
`name_de`, `name_es` beside `name` on the same row, so reading a name in the reader's
language costs no query. `row.name` is the active language's, else English's."""

from modeltranslation.translator import TranslationOptions, register

from caseflow.cases.models import Code, EventType, Priority


@register(Priority)
class PriorityTranslation(TranslationOptions):
    fields = ("name",)


@register(Code)
class CodeTranslation(TranslationOptions):
    fields = ("name",)


@register(EventType)
class EventTypeTranslation(TranslationOptions):
    fields = ("name",)

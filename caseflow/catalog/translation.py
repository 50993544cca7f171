"""Product types' names in every language (django-modeltranslation; see
caseflow/cases/translation.py)."""

from modeltranslation.translator import TranslationOptions, register

from caseflow.catalog.models import ProductType


@register(ProductType)
class ProductTypeTranslation(TranslationOptions):
    fields = ("name",)

"""Date, time and number formats where Caseflow differs from Django's defaults for a
language (`FORMAT_MODULE_PATH`). Languages without a module here keep Django's own."""

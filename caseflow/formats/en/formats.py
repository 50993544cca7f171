"""English as a European company writes it: the day before the month, a 24-hour clock and
weeks that start on Monday ("04/05/2026 17:53" is 4 May; Django's `en` is American:
"05/04/2026 5:53 p.m.")."""

DATE_FORMAT = "j F Y"  # 4 May 2026
TIME_FORMAT = "H:i"  # 17:53
DATETIME_FORMAT = "j F Y H:i"  # 4 May 2026 17:53
YEAR_MONTH_FORMAT = "F Y"  # May 2026
MONTH_DAY_FORMAT = "j F"  # 4 May
SHORT_DATE_FORMAT = "d/m/Y"  # 04/05/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 04/05/2026 17:53
FIRST_DAY_OF_WEEK = 1  # Monday

# The first input format is also how Django writes a date into a form field: it must stay
# ISO, which `<input type="date">` requires. Typed dates are read day first.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-05-04
    "%d/%m/%Y",  # 04/05/2026
    "%d/%m/%y",  # 04/05/26
    "%d.%m.%Y",  # 04.05.2026
    "%d %b %Y",  # 4 May 2026
    "%d %B %Y",  # 4 May 2026
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",  # 2026-05-04 17:53:59
    "%Y-%m-%d %H:%M:%S.%f",  # 2026-05-04 17:53:59.000200
    "%Y-%m-%d %H:%M",  # 2026-05-04 17:53
    "%d/%m/%Y %H:%M:%S",  # 04/05/2026 17:53:59
    "%d/%m/%Y %H:%M",  # 04/05/2026 17:53
    "%d/%m/%y %H:%M",  # 04/05/26 17:53
]
TIME_INPUT_FORMATS = [
    "%H:%M:%S",  # 17:53:59
    "%H:%M:%S.%f",  # 17:53:59.000200
    "%H:%M",  # 17:53
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

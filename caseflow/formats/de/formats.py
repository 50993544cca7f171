"""German as a German support desk writes it: "07.12.2026 14:05", weeks from Monday.

Django's own `de` formats, except that a date field is written in ISO (the first input
format), which `<input type="date">` requires; typed dates are read day first."""

DATE_FORMAT = "j. F Y"  # 7. Dezember 2026
TIME_FORMAT = "H:i"  # 14:05
DATETIME_FORMAT = "j. F Y H:i"  # 7. Dezember 2026 14:05
YEAR_MONTH_FORMAT = "F Y"  # Dezember 2026
MONTH_DAY_FORMAT = "j. F"  # 7. Dezember
SHORT_DATE_FORMAT = "d.m.Y"  # 07.12.2026
SHORT_DATETIME_FORMAT = "d.m.Y H:i"  # 07.12.2026 14:05
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-12-07
    "%d.%m.%Y",  # 07.12.2026
    "%d.%m.%y",  # 07.12.26
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",  # 2026-12-07 14:05:59
    "%Y-%m-%d %H:%M:%S.%f",  # 2026-12-07 14:05:59.000200
    "%Y-%m-%d %H:%M",  # 2026-12-07 14:05
    "%d.%m.%Y %H:%M:%S",  # 07.12.2026 14:05:59
    "%d.%m.%Y %H:%M",  # 07.12.2026 14:05
    "%d.%m.%y %H:%M",  # 07.12.26 14:05
]
TIME_INPUT_FORMATS = [
    "%H:%M:%S",  # 14:05:59
    "%H:%M:%S.%f",  # 14:05:59.000200
    "%H:%M",  # 14:05
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3

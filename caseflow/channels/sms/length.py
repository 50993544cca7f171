"""How long an SMS is: its encoding (GSM-7 when every character is in the GSM 03.38 alphabet,
else UCS-2) and how many segments it takes (160/70 characters alone, 153/67 each when a
message is split, because each part carries a header)."""

from __future__ import annotations

import math
from dataclasses import dataclass

# GSM 03.38 default alphabet (without ESC), and its extension table (ESC + one septet each).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7 = "GSM-7"
UCS2 = "UCS-2"
_LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True)
class SmsLength:
    encoding: str
    characters: int
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int
    remaining: int  # units still free in the last segment

    def as_data(self) -> dict[str, int | str]:
        return {"encoding": self.encoding, "segments": self.segments}


def measure(text: str) -> SmsLength:
    """The encoding, length and segment count of `text` as a phone network counts them."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text):
        encoding = GSM7
        units = sum(2 if ch in GSM_EXTENSION else 1 for ch in text)
    else:
        encoding = UCS2
        units = len(text.encode("utf-16-le")) // 2  # emoji take two units
    single, multi = _LIMITS[encoding]
    if units == 0:
        segments, per_segment = 0, single
    elif units <= single:
        segments, per_segment = 1, single
    else:
        segments, per_segment = math.ceil(units / multi), multi
    remaining = segments * per_segment - units if segments else single
    return SmsLength(
        encoding=encoding,
        characters=len(text),
        units=units,
        segments=segments,
        per_segment=per_segment,
        remaining=remaining,
    )

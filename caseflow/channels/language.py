"""Which language did a stranger write in? A small guess for answering unknown senders.

Known customers are answered in their own (or their contact's) language. A sender nobody
knows yet gets the acknowledgement in the language their message is written in, when the
text says so clearly, else in the mailbox's language. The guess counts common function
words of the languages Caseflow answers in; it needs a few of them and a clear lead, so a
short or mixed message keeps the default.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


WORDS = {
    "de": _words(
        "und ich die der das nicht ist mit ein eine mein meine meiner bitte sie wir für "
        "auf funktioniert danke hallo geht habe hat seit wieder noch kaffeemaschine"
    ),
    "es": _words(
        "y el la los las que no es mi con una por para gracias hola funciona está "
        "tengo desde otra vez cafetera buenos días saludos"
    ),
    "en": _words(
        "the and is my not with it to of please thanks hello does doesn't works have "
        "since again machine coffee regards"
    ),
}
WORD = re.compile(r"[a-zäöüßáéíóúñ']+")
MIN_HITS = 3  # fewer function words than this: too little to go by
SCAN_CHARS = 5000


def guess_language(text: str, default: str) -> str:
    """The language of `text` ("de", "es", "en"), or `default` when it is not clear."""
    counts = dict.fromkeys(WORDS, 0)
    for word in WORD.findall((text or "")[:SCAN_CHARS].lower()):
        for language, words in WORDS.items():
            if word in words:
                counts[language] += 1
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    (best, hits), (_second, runner_up) = ranked[0], ranked[1]
    if hits >= MIN_HITS and hits >= 2 * runner_up:
        return best
    return default

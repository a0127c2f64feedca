"""Text helpers shared by extraction, storage, search and the classifier."""

from __future__ import annotations

import re
import unicodedata

# Letters only Vietnamese spelling has (with their tone marks): a text or a name written with
# them is Vietnamese.
VIETNAMESE_LETTERS = re.compile(
    r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE
)


def nfc(text: str | None) -> str | None:
    """``text`` in Unicode NFC (one code point for "ệ"), or ``text`` itself when empty."""
    return unicodedata.normalize("NFC", text) if text else text


class _NonspacingMarks(dict):
    """A ``str.translate`` table that drops nonspacing marks (category Mn) and keeps the rest,
    filled as characters are first met: a page costs a few dict lookups in C per character
    instead of a call to ``unicodedata.category`` each."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code)) == "Mn" else code
        self[code] = kept
        return kept


_MARKS = _NonspacingMarks()


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its diacritics (``Đà Nẵng`` → ``da nang``)."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return unicodedata.normalize("NFD", lowered.replace("đ", "d")).translate(_MARKS)

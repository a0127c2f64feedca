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


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its diacritics (``Đà Nẵng`` → ``da nang``)."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")

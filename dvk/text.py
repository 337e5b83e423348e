"""Vietnamese text helpers shared by search columns and imports."""

import unicodedata

# Older "tone on the first vowel" spellings (Uỷ, hoà, thuỷ) and the modern ones (Ủy, hòa,
# thủy) must match each other; stripping every mark after NFD decomposition does that.


def normalize_search(text):
    """Lower-case, diacritic-free, single-spaced form used by stored search columns."""
    if not text:
        return ""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(text.lower().split())


def clean_text(text):
    """NFC-normalised, trimmed, single-spaced text, as typed text should be stored."""
    if text is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(text)).split())

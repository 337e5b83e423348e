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


def ascii_filename(name):
    """A download's file name from Vietnamese text: diacritics dropped, đ/Đ as d/D (NFD does
    not decompose them), anything else outside letters, digits and "-_." as "-".
    "phu-luc-01-DIENCHAU-27-KH/ĐU.xlsx" -> "phu-luc-01-DIENCHAU-27-KH-DU.xlsx"."""
    text = unicodedata.normalize("NFD", str(name).replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "-" for ch in text)


def clean_text(text):
    """NFC-normalised, trimmed, single-spaced text, as typed text should be stored."""
    if text is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


# Vietnamese alphabetical order (đ after d, ă â after a, ê after e, ô ơ after o, ư after u);
# f j w z only occur in foreign names and take their Latin places.
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_LETTER_CODES = {letter: f"{i:02d}" for i, letter in enumerate(_ALPHABET, start=1)}
_LETTER_CODES.update({str(d): f"{len(_ALPHABET) + 1 + d:02d}" for d in range(10)})
# Marks that make a letter of its own, and tones in dictionary order (Hoàng Phê): ngang,
# huyền, hỏi, ngã, sắc, nặng.
_LETTER_MARKS = {"\u0306": "breve", "\u0302": "circumflex", "\u031b": "horn"}
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
_COMPOSE = {
    ("a", "breve"): "ă",
    ("a", "circumflex"): "â",
    ("e", "circumflex"): "ê",
    ("o", "circumflex"): "ô",
    ("o", "horn"): "ơ",
    ("u", "horn"): "ư",
}
_END = "00"  # below every letter code: a shorter word sorts before a longer one


def _word_codes(word):
    """(letter codes, tone digit) of one word; "Uỷ" and "Ủy" give the same."""
    letters, tone = [], "0"
    # NFD splits tones and vowel marks off their letters; đ has no decomposition and stays a letter.
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _LETTER_MARKS and letters:
            letters[-1] = _COMPOSE.get((letters[-1], _LETTER_MARKS[ch]), letters[-1])
        elif ch in _TONES:
            tone = _TONES[ch]
        elif unicodedata.category(ch) != "Mn":
            letters.append(ch)
    return "".join(_LETTER_CODES[c] for c in letters if c in _LETTER_CODES), tone


def _words_key(words):
    coded = [_word_codes(w) for w in words]
    letters = _END.join(codes for codes, _tone in coded) + _END
    return letters + "".join(tone for _codes, tone in coded)


def vietnamese_name_sort_key(full_name):
    """A digits-only key that sorts Vietnamese personal names the Vietnamese way: by given
    name (the last word) first, then the rest, each by letters and then by tones.

    Digits only, so every database collation (SQLite's binary, PostgreSQL's locale ones)
    orders the stored key identically."""
    words = clean_text(full_name).split()
    if not words:
        return ""
    return _words_key(words[-1:]) + _words_key(words[:-1])


def vietnamese_sort_key(text):
    """The same order for names of things (organisations, models): word by word from the start."""
    return _words_key(clean_text(text).split())

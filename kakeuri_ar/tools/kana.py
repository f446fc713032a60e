# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Half-width kana, as Japanese banks write names (Zengin files, payer names).

Pure functions without Odoo: the bank import, cash matching and direct debit files share them,
so a name is converted, checked and compared the same way everywhere.
"""

import re
import unicodedata

__all__ = [
    "KanaError",
    "decode_bank",
    "encode_bank",
    "is_bank_text",
    "normalize_payer_name",
    "to_halfwidth",
]


class KanaError(ValueError):
    """A character that the Zengin character set cannot carry."""

    def __init__(self, char, text):
        self.char = char
        self.text = text
        super().__init__(f"character {char!r} of {text!r} cannot be written in half-width kana")


def _full_to_half_table():
    """Full-width katakana (with voiced forms) to their half-width spelling, built from
    Unicode's own compatibility mappings rather than typed by hand."""
    table = {}
    halves = [chr(code) for code in range(0xFF61, 0xFFA0)]
    for half in halves:
        full = unicodedata.normalize("NFKC", half)
        if full != half:
            table.setdefault(full, half)
    for half in halves:
        for mark in ("\uff9e", "\uff9f"):
            composed = unicodedata.normalize("NFKC", half + mark)
            if len(composed) == 1:
                table.setdefault(composed, half + mark)
    return table


_FULL_TO_HALF = _full_to_half_table()
_SMALL_TO_LARGE = str.maketrans("ｧｨｩｪｫｬｭｮｯ", "ｱｲｳｴｵﾔﾕﾖﾂ")
# Zengin character set: digits, upper-case latin, half-width kana and a few symbols.
_BANK_CHARS = frozenset(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ ().-/,\\｢｣" + "".join(chr(c) for c in range(0xFF66, 0xFFA0))
)


def to_halfwidth(text):
    """Hiragana and full-width katakana become half-width katakana (voiced marks split),
    full-width latin, digits, symbols and the ideographic space become ASCII."""
    text = unicodedata.normalize("NFKC", text or "")
    out = []
    for char in text:
        code = ord(char)
        if 0x3041 <= code <= 0x3096:  # hiragana → katakana
            char = chr(code + 0x60)
        out.append(_FULL_TO_HALF.get(char, char))
    return "".join(out)


def _bank_form(text):
    text = to_halfwidth(text).upper().translate(_SMALL_TO_LARGE)
    # banks write the long vowel mark as a hyphen
    return text.replace("ｰ", "-").replace("¥", "\\")


def is_bank_text(text):
    """True when the text can be written in the Zengin character set."""
    return all(char in _BANK_CHARS for char in _bank_form(text))


def encode_bank(text, width):
    """``text`` as exactly ``width`` bytes of the Zengin character set (JIS X 0201 half-width
    kana in Shift_JIS), padded with spaces and cut at ``width``; raises KanaError for a
    character the set cannot carry (kanji, for instance)."""
    form = _bank_form(text)
    for char in form:
        if char not in _BANK_CHARS:
            raise KanaError(char, text)
    return form.encode("cp932")[:width].ljust(width, b" ")


def decode_bank(data):
    """Bytes of a bank file field as text, trailing spaces stripped."""
    return bytes(data).decode("cp932").rstrip(" \u3000")


# Legal forms written out: the kanji ones before conversion, the kana ones after.
_KANJI_FORMS = (
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "(株)",
    "(有)",
    "(同)",
    "(資)",
    "(名)",
)
_KANA_FORMS = re.compile("ｶﾌﾞｼｷｶﾞｲｼﾔ|ｶﾌﾞｼｷｶｲｼﾔ|ﾕｳｹﾞﾝｶﾞｲｼﾔ|ﾕｳｹﾞﾝｶｲｼﾔ|ｺﾞｳﾄﾞｳｶﾞｲｼﾔ|ｺﾞｳｼｶﾞｲｼﾔ|ｺﾞｳﾒｲｶﾞｲｼﾔ")
# Abbreviations as banks print them: "ｶ)ﾔﾏﾄ", "ﾔﾏﾄ(ｶ", "(ﾕ)ﾔﾏﾄ"; at least one parenthesis.
_ABBREVIATION_WORDS = ("ｶ", "ﾕ", "ﾄﾞ", "ｼ", "ﾒ", "ｼﾔ", "ｻﾞｲ", "ｲ", "ｶﾞｸ", "ﾌﾞﾝ", "ｼﾕﾂ", "ﾄﾞｸ", "ﾉｳ", "ｷﾞﾖ")
_ABBREVIATIONS = "|".join(sorted(_ABBREVIATION_WORDS, key=len, reverse=True))
_ABBREVIATION = re.compile(rf"\((?:{_ABBREVIATIONS})\)?|(?:^|(?<=[\s.]))(?:{_ABBREVIATIONS})\)")
# what a key keeps: digits, latin, large kana with voiced marks, and kanji (a name written
# only in kanji still meets itself)
_LONG_O = re.compile(r"([ｵｺｿﾄﾉﾎﾓﾖﾛｦ]ﾞ?ﾟ?)ｳ(?!ﾞ)")
_NOT_KEY = re.compile(r"[^0-9A-Zｦｱ-ﾝﾞﾟ\u3005\u4e00-\u9fff]")


def normalize_payer_name(text):
    """The key under which a payer name is compared: half-width, no legal form, no spaces,
    punctuation or long vowels, small kana made large: "ヤマト商事株式会社" → "ﾔﾏﾄ商事",
    "ｶ)ﾔﾏﾄｼｮｳｼﾞ", "ヤマトショージ（株）" → "ﾔﾏﾄｼﾖｼﾞ". Kanji stay as they are."""
    text = unicodedata.normalize("NFKC", text or "")
    for form in _KANJI_FORMS:
        text = text.replace(form, " ")
    text = to_halfwidth(text).upper().translate(_SMALL_TO_LARGE)
    text = _KANA_FORMS.sub(" ", text)
    text = _ABBREVIATION.sub(" ", text)
    key = _NOT_KEY.sub("", text)
    # ショウ, ショー and ショ are one sound: a long "o" is written ｳ, ｰ or not at all
    return _LONG_O.sub(r"\1", key)

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""和暦 (Japanese era) dates as Japanese bank files write them: YYMMDD without the era.

The rule (``wareki_to_date``): the year is read as 令和 (Reiwa, R1 = 2019, from 2019-05-01)
when that gives a day from 2019-05-01 up to one year after the reference day (today);
otherwise as 平成 (Heisei, H1 = 1989), including the Heisei years some bank systems kept
counting after the change (H32 = 2020). A file describes past days, so a Reiwa reading far in
the future means the bank wrote Heisei.
"""

import datetime
import re

REIWA_START = datetime.date(2019, 5, 1)
HEISEI_START = datetime.date(1989, 1, 8)


def wareki_to_date(text, today=None):
    """'081205' → 2026-12-05 (令和8) or 2008-12-05 (平成20), by the rule in the module's
    docstring; blank or all-zero text → None. Raises ValueError for anything else."""
    text = (text or "").strip()
    if not text or set(text) == {"0"}:
        return None
    if not re.fullmatch(r"\d{6}", text):
        raise ValueError(text)
    year, month, day = int(text[:2]), int(text[2:4]), int(text[4:])
    today = today or datetime.date.today()
    try:
        reiwa = datetime.date(2018 + year, month, day)
    except ValueError:
        reiwa = None
    if reiwa and REIWA_START <= reiwa <= today + datetime.timedelta(days=366):
        return reiwa
    heisei = datetime.date(1988 + year, month, day) if year else None
    if heisei is None or heisei < HEISEI_START:
        raise ValueError(text)
    return heisei


def date_to_wareki(day):
    """2026-12-05 → '081205' (令和 from 2019-05-01, 平成 before)."""
    if day is None:
        return "000000"
    year = day.year - 2018 if day >= REIWA_START else day.year - 1988
    if not 0 < year < 100 or day < HEISEI_START:
        raise ValueError(day)
    return f"{year:02d}{day:%m%d}"

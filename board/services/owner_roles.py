"""Owner role names: one canonical spelling per role, and a short form for cards."""
from __future__ import annotations

import re
import unicodedata

# Letters that look Latin but are not (the seed hides a Cyrillic "Е" in "CESCP").
_HOMOGLYPHS = str.maketrans({
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x",
    "\u2019": "'", "\u2018": "'",
})

# Applied in order; the full name is always in the accessible name beside the short form.
_SHORT_FORMS = [
    ("Executive Director of Children's Services", "Exec. DCS"),
    ("Heads of Service", "Heads of Service"),
    ("Head of Service", "HoS"),
    ("Service Manager", "SM"),
    ("Principal Social Worker", "PSW"),
    ("Independent Reviewing Officer", "IRO"),
    ("Director of", "Dir."),
    ("Children's Social Care", "CSC"),
    ("Early Help and Prevention", "EH&P"),
    ("Child Protection and Child in Need", "CP & CIN"),
    ("Cared for Children and Care Leavers", "Cared for & CL"),
    ("Care Leavers", "CL"),
    ("Business Intelligence", "BI"),
    ("Training & Development", "T&D"),
    ("Manager", "Mgr"),
    (" and ", " & "),
]


def clean_role_name(name: str) -> str:
    """Normalise spacing, look-alike letters and curly apostrophes."""
    name = unicodedata.normalize("NFC", name).translate(_HOMOGLYPHS)
    return " ".join(name.split())


def canonical_role_name(name: str, aliases: dict[str, str] | None = None) -> str:
    """The one spelling used for a role: cleaned, then mapped through the plan's aliases."""
    cleaned = clean_role_name(name)
    folded = {clean_role_name(k).casefold(): clean_role_name(v) for k, v in (aliases or {}).items()}
    return folded.get(cleaned.casefold(), cleaned)


def abbreviate_role(name: str) -> str:
    short = name
    for long_form, short_form in _SHORT_FORMS:
        short = short.replace(long_form, short_form)
    return short


_ACRONYM = re.compile(r"\(([A-Z]{2,})\)")
_SPLIT = re.compile(r"[\s/,:]+")


def owner_initials(name: str) -> str:
    """A role in a few letters for the whole-plan view: its printed acronym, else the short form's
    abbreviations kept and other words reduced to initials ("Head of Service Children's
    Safeguarding" is "HoS CS", "Complaints Support Officer" is "CSO"). The full name stays beside it."""
    acronym = _ACRONYM.search(name)
    if acronym:
        return acronym.group(1)
    parts, run = [], ""
    for word in _SPLIT.split(abbreviate_role(name)):
        word = word.strip("'’")
        if not word or word == "&" or word[0].islower():
            continue
        if word.endswith(".") or any(ch.isupper() for ch in word[1:]) or "&" in word:
            if run:
                parts.append(run[:4])
                run = ""
            parts.append(word)
        else:
            run += word[0]
    if run:
        parts.append(run[:4])
    return " ".join(parts) or name.split()[0]

"""Country names for the pages people read: ``VN`` is shown as "Viet Nam (VN)".

Names come from pycountry (ISO 3166-1), the same list the classifier's gazetteer starts from.
ISO's own short name is used, unless it is an inverted or long official form ("Korea, Republic
of", "Lao People's Democratic Republic"): then pycountry's common name ("South Korea", "Laos").
"""

from __future__ import annotations

from functools import lru_cache

import pycountry

LONG_NAME = 24  # characters: longer ISO names give way to the common name, when there is one


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """The readable English name of an ISO 3166-1 alpha-2 code; the code itself if unknown."""
    country = pycountry.countries.get(alpha_2=(code or "").upper())
    if country is None:
        return code
    common = getattr(country, "common_name", None)
    if common and (", " in country.name or len(country.name) > LONG_NAME):
        return common
    return country.name


def country_label(code: str) -> str:
    """"Viet Nam (VN)": the name and the code, as cells, facets and menus show a country."""
    name = country_name(code)
    return code if name == code else f"{name} ({code})"


@lru_cache(maxsize=512)
def country_names(code: str) -> tuple[str, ...]:
    """Every English name pycountry gives the country (short, common, official)."""
    country = pycountry.countries.get(alpha_2=(code or "").upper())
    if country is None:
        return ()
    names = (getattr(country, a, None) for a in ("name", "common_name", "official_name"))
    return tuple(dict.fromkeys(n for n in names if n))


@lru_cache(maxsize=64)
def language_name(code: str) -> str:
    """"Vietnamese" for ``vi``; the code itself if pycountry does not know it."""
    language = pycountry.languages.get(alpha_2=(code or "").lower())
    return language.name if language else code

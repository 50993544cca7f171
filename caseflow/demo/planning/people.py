"""The demo's invented customers: names, addresses, e-mail addresses and phone numbers in
the notations people really type, drawn from `caseflow.demo.data`."""

from __future__ import annotations

import random
from typing import Any

from caseflow.demo.data import (
    CITIES,
    CONTACT_TITLES,
    DEALERS,
    FIRST,
    LAST,
    ORG_NAMES,
    ORGANISATIONS,
    STREETS,
)
from caseflow.demo.history import ascii_slug


def customer_plan(rng: random.Random, key: str, kind: str, country: str) -> dict[str, Any]:
    """Who a customer is: name, language, address, contact, e-mail and phone numbers."""
    city, postal, region, area = rng.choice(CITIES[country])
    first, last = rng.choice(FIRST[country]), rng.choice(LAST[country])
    if country == "ES":
        last = f"{last} {rng.choice(LAST['ES'])}"
    language = country.lower() if rng.random() > 0.04 else "en"
    person = f"{first} {last}"
    if kind == "dealer":
        name = rng.choice(DEALERS[country]).format(last=last.split()[0])
    elif kind == "org":
        _label, pattern = rng.choice(ORGANISATIONS[country])
        name = pattern.format(n=rng.choice(ORG_NAMES[country]), last=last.split()[0])
    else:
        name = person
    street = f"{rng.choice(STREETS[country])} {rng.randrange(1, 140)}"
    postal_code = f"{postal}{rng.randrange(10, 99)}"
    phones = [phone(rng, country, area, mobile=kind == "person" and rng.random() < 0.6)]
    if rng.random() < 0.3:
        phones.append(phone(rng, country, area, mobile=True))
    slug = ascii_slug(name)[:30].strip("-")
    domain = (
        f"{slug}.example"
        if kind != "person"
        else rng.choice(["example.com", "example.net", "example.org"])
    )
    local = "info" if kind != "person" else f"{ascii_slug(first)}.{ascii_slug(last.split()[0])}"
    emails = [f"{local}@{domain}"] if kind != "person" or rng.random() < 0.85 else []
    return {
        "key": key,
        "kind": kind,
        "country": country,
        "name": name,
        "language": language,
        "region": region,
        "street": street,
        "postal_code": postal_code,
        "city": city,
        "contact": person,
        "title": rng.choice(CONTACT_TITLES[country]),
        "emails": emails,
        "phones": phones,
        "vat_id": (
            f"DE{rng.randrange(10**8, 10**9)}"
            if country == "DE"
            else f"ESB{rng.randrange(10**7, 10**8)}"
        )
        if kind != "person"
        else "",
    }


def phone(rng: random.Random, country: str, area: str, *, mobile: bool) -> str:
    """A number in one of the notations people really type."""
    if country == "DE":
        if mobile:
            prefix = rng.choice(["0151", "0160", "0170", "0171", "0176"])
            number = f"{rng.randrange(10**6, 10**7)}{rng.randrange(10)}"
            return rng.choice(
                [f"{prefix} {number}", f"{prefix}-{number}", f"+49 {prefix[1:]} {number}"]
            )
        digits = 8 if len(area) == 3 else 7
        number = str(rng.randrange(2 * 10 ** (digits - 1), 10**digits))
        return rng.choice(
            [
                f"{area} {number}",
                f"({area}) {number}",
                f"{area}/{number}",
                f"+49 {area[1:]} {number}",
            ]
        )
    if mobile:
        number = f"6{rng.randrange(10**7, 10**8)}"
        return rng.choice(
            [
                f"{number[:3]} {number[3:5]} {number[5:7]} {number[7:]}",
                f"+34 {number[:3]} {number[3:6]} {number[6:]}",
                number,
            ]
        )
    number = (area + str(rng.randrange(10**8)).zfill(8))[:9]
    return rng.choice(
        [
            f"{number[:3]} {number[3:6]} {number[6:]}",
            f"{number[:2]} {number[2:5]} {number[5:7]} {number[7:]}",
        ]
    )

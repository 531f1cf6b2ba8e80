"""True people and the noisy records the source systems keep about them.

Each person exists once in the truth. Storefront accounts, CRM contacts, guest checkouts and
support requesters are records *about* people, written with the noise real systems have:
typos, swapped names, plus-addressing, mixed case, gmail dots, phones in many formats, dates
of birth in several formats, shared family emails and placeholders.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from order_truth.generate import textops as t

FIRST = {
    "US": ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
           "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
           "Thomas", "Sarah", "Christopher", "Karen", "Charles", "Lisa", "Daniel", "Nancy",
           "Matthew", "Betty", "Anthony", "Sandra", "Mark", "Margaret", "Donald", "Ashley",
           "Steven", "Kimberly", "Andrew", "Emily", "Paul", "Donna", "Joshua", "Michelle",
           "Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Melissa", "Timothy", "Deborah",
           "Ronald", "Stephanie", "Jason", "Rebecca", "George", "Laura", "Edward", "Helen",
           "Jose", "Maria", "Luis", "Ana", "Wei", "Mei", "Hiroshi", "Yuki", "Aisha", "Omar"],
    "DE": ["Jürgen", "Sabine", "Thomas", "Petra", "Michael", "Andrea", "Andreas", "Claudia",
           "Stefan", "Susanne", "Frank", "Monika", "Klaus", "Birgit", "Uwe", "Karin", "Jörg",
           "Ursula", "Matthias", "Heike", "Lukas", "Lea", "Jonas", "Hannah", "Leon", "Sophie",
           "Felix", "Marie", "Maximilian", "Anna", "Björn", "Jana", "Sören", "Käthe"],
    "GB": ["Oliver", "Olivia", "George", "Amelia", "Harry", "Isla", "Jack", "Ava", "Charlie",
           "Emily", "Thomas", "Sophie", "Alfie", "Grace", "Freddie", "Lily", "Oscar", "Ella",
           "Archie", "Poppy", "Siobhan", "Niamh", "Rhys", "Cerys", "Eoin", "Aoife"],
    "CA": ["Liam", "Emma", "Noah", "Charlotte", "Benjamin", "Chloé", "Félix", "Léa", "Mathis",
           "Zoé", "Ethan", "Maya", "Lucas", "Florence", "William", "Alice", "Gabriel",
           "Rosalie", "Samuel", "Juliette", "Raj", "Priya", "Jun", "Hana"],
}
LAST = {
    "US": ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
           "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
           "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson",
           "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker",
           "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
           "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
           "Carter", "Roberts", "O'Brien", "McDonald", "Van Buren", "De la Cruz", "Kim", "Patel",
           "Chen", "Wang", "Singh", "Cohen", "Murphy", "Sullivan", "Kowalski", "Novak"],
    "DE": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
           "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
           "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann",
           "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier", "Lehmann",
           "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer",
           "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung",
           "Hahn", "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler"],
    "GB": ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
           "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
           "Hall", "Wood", "Jackson", "Clarke", "Patel", "Khan", "Lewis", "James", "Phillips",
           "Mason", "Mitchell", "Rose", "Davis", "Rodriguez", "Cox", "Alexander", "Morgan",
           "Hughes", "Edwards", "Hill", "Moore", "Clark", "Harrison", "Scott", "Young", "Morris",
           "Hall", "Ward", "Turner", "Carter", "Phillips", "Mitchell", "O'Connor", "MacLeod"],
    "CA": ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie",
           "Fortin", "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron",
           "Leblanc", "Paquette", "Girard", "Simard", "Boucher", "Caron", "Beaulieu", "Cloutier",
           "Dubé", "Poirier", "Smith", "Brown", "Wilson", "MacDonald", "Campbell", "Anderson",
           "Thompson", "Martin", "Li", "Wong", "Singh", "Chan", "Lam", "Nguyen", "Patel"],
}
# city, region, postal prefix, area code / trunk prefix, share within the country
CITIES = {
    "US": [("New York", "NY", "100", "212", 14), ("Boston", "MA", "021", "617", 6),
           ("Philadelphia", "PA", "191", "215", 6), ("Miami", "FL", "331", "305", 7),
           ("Atlanta", "GA", "303", "404", 7), ("Chicago", "IL", "606", "312", 10),
           ("Houston", "TX", "770", "713", 9), ("Dallas", "TX", "752", "214", 8),
           ("Denver", "CO", "802", "303", 6), ("Phoenix", "AZ", "850", "602", 6),
           ("Los Angeles", "CA", "900", "213", 11), ("San Francisco", "CA", "941", "415", 5),
           ("Seattle", "WA", "981", "206", 5)],
    "CA": [("Toronto", "ON", "M5V", "416", 40), ("Montreal", "QC", "H2X", "514", 25),
           ("Vancouver", "BC", "V6B", "604", 22), ("Calgary", "AB", "T2P", "403", 13)],
    "DE": [("Berlin", "BE", "10", "30", 30), ("Hamburg", "HH", "20", "40", 20),
           ("München", "BY", "80", "89", 20), ("Köln", "NW", "50", "221", 15),
           ("Frankfurt am Main", "HE", "60", "69", 15)],
    "GB": [("London", "ENG", "SW1", "20", 45), ("Manchester", "ENG", "M1", "161", 20),
           ("Birmingham", "ENG", "B1", "121", 20), ("Glasgow", "SCT", "G1", "141", 15)],
}
STREETS = {
    "US": ["Main Street", "Oak Avenue", "Maple Street", "Cedar Lane", "Park Avenue",
           "Washington Street", "Lake Drive", "Hill Road", "Pine Street", "Elm Street",
           "Sunset Boulevard", "Broadway", "Church Street", "Highland Avenue", "Mill Road"],
    "CA": ["King Street", "Queen Street", "Rue Sainte-Catherine", "Yonge Street",
           "Granville Street", "Boulevard Saint-Laurent", "Bloor Street", "Robson Street"],
    "DE": ["Hauptstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße", "Dorfstraße",
           "Bergstraße", "Birkenweg", "Lindenstraße", "Kirchstraße", "Waldstraße"],
    "GB": ["High Street", "Station Road", "Church Lane", "Victoria Road", "Green Lane",
           "Manor Road", "Park Road", "Queens Road", "New Road", "Mill Lane"],
}
DOMAINS = {
    "US": ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "aol.com"],
    "CA": ["gmail.com", "hotmail.ca", "outlook.com", "yahoo.ca", "videotron.ca"],
    "DE": ["gmail.com", "web.de", "gmx.de", "t-online.de", "googlemail.com", "outlook.de"],
    "GB": ["gmail.com", "btinternet.com", "hotmail.co.uk", "outlook.com", "sky.com"],
}
COUNTRY_WEIGHTS = {"US": 0.62, "CA": 0.10, "DE": 0.16, "GB": 0.12}
PHONE_CC = {"US": "1", "CA": "1", "DE": "49", "GB": "44"}
PLACEHOLDER_EMAILS = ["test@example.com", "noreply@example.com", "none@none.com", "n/a"]


@dataclass
class People:
    """Column arrays of the true people (index = person number)."""

    n: int
    country: np.ndarray  # str codes
    first: pa.Array
    last: pa.Array
    dob_day: np.ndarray  # days since epoch
    email: pa.Array
    phone_nsn: pa.Array  # national significant number (digits, no trunk 0)
    house: np.ndarray
    street: pa.Array
    city: pa.Array
    region: pa.Array
    postal: pa.Array
    family_of: np.ndarray  # -1 or the person whose email/address this person shares
    weight: np.ndarray  # relative order propensity


def _choice_by_country(rng: np.random.Generator, country: np.ndarray, table: dict,
                       weights: bool = False) -> tuple[pa.Array, np.ndarray]:
    """Pick one entry per person from a per-country list; returns values and local index."""
    out_idx = np.zeros(country.size, dtype=np.int64)
    offsets, vocab = {}, []
    for c, items in table.items():
        offsets[c] = len(vocab)
        vocab.extend(items)
    for c, items in table.items():
        m = country == c
        if weights:
            w = np.array([it[-1] for it in items], dtype=float)
            local = rng.choice(len(items), size=int(m.sum()), p=w / w.sum())
        else:
            local = rng.integers(0, len(items), size=int(m.sum()))
        out_idx[m] = offsets[c] + local
    return out_idx, np.array(vocab, dtype=object)


def make_people(n: int, seed: int) -> People:
    rng = np.random.default_rng([seed, 1])
    codes = np.array(list(COUNTRY_WEIGHTS))
    country = codes[rng.choice(len(codes), size=n, p=list(COUNTRY_WEIGHTS.values()))]
    fi, fvocab = _choice_by_country(rng, country, FIRST)
    li, lvocab = _choice_by_country(rng, country, LAST)
    first = t.pick(list(fvocab), fi)
    last = t.pick(list(lvocab), li)
    dob_day = rng.integers(-7300, 12800, size=n)  # 1950 .. 2005
    di, dvocab = _choice_by_country(rng, country, DOMAINS)
    domain = t.pick(list(dvocab), di)
    pid = np.arange(n)
    style = rng.integers(0, 4, size=n)
    f_ascii = t.lower(pa.array([_ascii(x) for x in fvocab], pa.string()).take(pa.array(fi)))
    l_ascii = pc.replace_substring_regex(
        t.lower(pa.array([_ascii(x) for x in lvocab], pa.string()).take(pa.array(li))),
        pattern="[^a-z]", replacement="")
    n_str = t.num(pid + 11)
    local = t.where(style == 0, t.cat(f_ascii, ".", l_ascii, n_str),
                    t.where(style == 1, t.cat(f_ascii, l_ascii, n_str),
                            t.where(style == 2, t.cat(t.sl(f_ascii, 0, 1), l_ascii, n_str),
                                    t.cat(l_ascii, "_", f_ascii, n_str))))
    email = t.cat(local, "@", domain)
    ci, cvocab = _choice_by_country(rng, country, CITIES, weights=True)
    city = t.pick([c[0] for c in cvocab], ci)
    region = t.pick([c[1] for c in cvocab], ci)
    prefix = [c[2] for c in cvocab]
    area = [c[3] for c in cvocab]
    tail = rng.integers(0, 10**8, size=n)
    postal_tail = rng.integers(0, 1000, size=n)
    postal = t.where(
        np.isin(country, ["US"]), t.cat(t.pick(prefix, ci), t.num(postal_tail % 100, 2)),
        t.where(np.isin(country, ["DE"]), t.cat(t.pick(prefix, ci), t.num(postal_tail, 3)),
                t.where(np.isin(country, ["CA"]),
                        t.cat(t.pick(prefix, ci), " ", t.num(postal_tail % 10, 1), "A",
                              t.num(postal_tail // 100, 1)),
                        t.cat(t.pick(prefix, ci), " ", t.num(postal_tail % 10, 1), "AA"))))
    si, svocab = _choice_by_country(rng, country, STREETS)
    street = t.pick(list(svocab), si)
    house = rng.integers(1, 2500, size=n)
    weight = rng.pareto(2.5, size=n) + 0.3
    family_of = np.full(n, -1, dtype=np.int64)
    fam = np.flatnonzero(rng.random(n) < 0.012)
    fam = fam[fam > 0]
    family_of[fam] = fam - 1
    # A family member shares the household email, surname and address; not the phone or DOB.
    src = np.where(family_of >= 0, family_of, pid)
    email = email.take(pa.array(src))
    last = last.take(pa.array(src))
    street, city, region, postal = (c.take(pa.array(src)) for c in (street, city, region, postal))
    house = house[src]
    country = country[src]
    # Everyone's own phone, on the household's area code: 10-digit national numbers.
    hci = ci[src]
    area_len = np.array([len(x) for x in area])[hci]
    digits8 = t.num(tail, 8)
    phone_nsn = t.where(area_len == 2, t.cat(t.pick(area, hci), digits8),
                        t.cat(t.pick(area, hci), t.sl(digits8, 0, 7)))
    return People(n, country, first, last, dob_day, email, phone_nsn, house, street, city,
                  region, postal, family_of, weight)


def _ascii(s: str) -> str:
    s = s.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    s = s.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


# --------------------------------------------------------------------------- record noise

def _typo(s: str, r: int) -> str:
    if len(s) < 3:
        return s
    pos = 1 + r % (len(s) - 2)
    kind = (r // 7) % 4
    letters = "aeiounrstlm"
    if kind == 0:  # substitution
        return s[:pos] + letters[r % len(letters)] + s[pos + 1:]
    if kind == 1:  # deletion
        return s[:pos] + s[pos + 1:]
    if kind == 2:  # transposition
        return s[:pos - 1] + s[pos] + s[pos - 1] + s[pos + 1:]
    return s[:pos] + s[pos] + s[pos:]  # doubled letter


def noisy_names(first: pa.Array, last: pa.Array, rng: np.random.Generator, typo: float,
                swap: float, case: float, deaccent: float) -> tuple[pa.Array, pa.Array, dict]:
    n = len(first)
    r = rng.integers(0, 10**9, size=n)
    t_first = rng.random(n) < typo / 2
    t_last = (rng.random(n) < typo / 2) & ~t_first
    first = t.apply_subset(first, t_first, lambda s, i: _typo(s, int(r[i])))
    last = t.apply_subset(last, t_last, lambda s, i: _typo(s, int(r[i])))
    da = rng.random(n) < deaccent
    first = t.where(da, t.map_values(first, _ascii), first)
    last = t.where(da, t.map_values(last, _ascii), last)
    sw = rng.random(n) < swap
    f2 = t.where(sw, last, first)
    l2 = t.where(sw, first, last)
    cs = rng.random(n)
    f2 = t.where(cs < case / 2, t.upper(f2), t.where(cs < case, t.lower(f2), f2))
    l2 = t.where(cs < case / 2, t.upper(l2), t.where(cs < case, t.lower(l2), l2))
    return f2, l2, {"name_typo": t_first | t_last, "name_swapped": sw}


def noisy_email(email: pa.Array, rng: np.random.Generator, plus: float, case: float,
                dots: float, pad: float) -> pa.Array:
    n = len(email)
    parts = pc.split_pattern(email, "@", max_splits=1)
    local = pc.list_element(parts, 0)
    domain = pc.list_element(parts, 1)
    tags = ["shop", "orders", "promo", "spam", "2026"]
    pl = rng.random(n) < plus
    local = t.where(pl, t.cat(local, "+", t.pick(tags, rng.integers(0, len(tags), n))), local)
    is_gmail = pc.is_in(domain, pa.array(["gmail.com", "googlemail.com"])).to_numpy(
        zero_copy_only=False)
    dm = (rng.random(n) < dots) & is_gmail
    local = t.where(dm, pc.replace_substring(local, ".", ""), local)
    out = t.cat(local, "@", domain)
    c = rng.random(n)
    out = t.where(c < case / 2, t.upper(out), t.where(
        c < case, pc.utf8_capitalize(out), out))
    pd_ = rng.random(n) < pad
    return t.where(pd_, t.cat(" ", out, " "), out)


def format_phone(country: np.ndarray, nsn: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Phones as people type them: national, international, dotted, with 00 or +."""
    n = len(nsn)
    style = rng.integers(0, 5, size=n)
    cc = t.pick(["1", "49", "44"], np.select([np.isin(country, ["US", "CA"]),
                                              country == "DE"], [0, 1], 2))
    nanp = np.isin(country, ["US", "CA"])
    a, b, c = t.sl(nsn, 0, 3), t.sl(nsn, 3, 6), t.sl(nsn, 6)
    nanp_fmt = t.where(style == 0, t.cat("(", a, ") ", b, "-", c),
                       t.where(style == 1, t.cat("+1 ", a, " ", b, " ", c),
                               t.where(style == 2, t.cat(a, ".", b, ".", c),
                                       t.where(style == 3, t.cat("1-", a, "-", b, "-", c),
                                               t.cat(a, b, c)))))
    eu_fmt = t.where(style == 0, t.cat("0", nsn),
                     t.where(style == 1, t.cat("+", cc, " ", nsn),
                             t.where(style == 2, t.cat("00", cc, " ", t.sl(nsn, 0, 3), " ",
                                                       t.sl(nsn, 3)),
                                     t.where(style == 3, t.cat("(0", t.sl(nsn, 0, 2), ") ",
                                                               t.sl(nsn, 2)),
                                             t.cat("+", cc, nsn)))))
    return t.where(nanp, nanp_fmt, eu_fmt)


def format_dob(dob_day: np.ndarray, country: np.ndarray, rng: np.random.Generator) -> pa.Array:
    ts = (np.asarray(dob_day, dtype=np.int64) * 86_400_000_000)
    style = rng.integers(0, 4, size=len(dob_day))
    iso = t.fmt_ts(ts, "%Y-%m-%d")
    compact = t.fmt_ts(ts, "%Y%m%d")
    us = t.fmt_ts(ts, "%m/%d/%Y")
    de = t.fmt_ts(ts, "%d.%m.%Y")
    local_fmt = t.where(np.isin(country, ["DE"]), de, t.where(np.isin(country, ["US"]), us, iso))
    return t.where(style == 0, iso, t.where(style == 1, compact, local_fmt))


def address_line(house: np.ndarray, street: pa.Array, country: np.ndarray,
                 rng: np.random.Generator, abbreviate: float) -> pa.Array:
    h = t.num(house)
    eu = np.isin(country, ["DE"])
    line = t.where(eu, t.cat(street, " ", h), t.cat(h, " ", street))
    ab = rng.random(len(house)) < abbreviate
    short = pc.replace_substring_regex(line, pattern="Street$", replacement="St.")
    short = pc.replace_substring_regex(short, pattern="Avenue$", replacement="Ave")
    short = pc.replace_substring_regex(short, pattern="straße", replacement="str.")
    short = pc.replace_substring_regex(short, pattern="Road$", replacement="Rd")
    return t.where(ab, short, line)

"""Storefront accounts and CRM contacts: the person records that exist before any order."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from order_truth.generate import people as pp
from order_truth.generate import textops as t
from order_truth.generate.config import GeneratorConfig
from order_truth.generate.tz import DAY_US

VIP_TIERS = ["none", "silver", "gold", "platinum"]


def _postal_variant(postal: pa.Array, rng: np.random.Generator) -> pa.Array:
    """An older postal code in the same city: the last character changes."""
    n = len(postal)
    digit = t.num(rng.integers(0, 10, n))
    return t.cat(t.sl(postal, 0, -1), digit)


def make_accounts(cfg: GeneratorConfig, people: pp.People, window_start_us: int) -> dict:
    rng = np.random.default_rng([cfg.seed, 10])
    n = people.n
    has_acc = rng.random(n) < 0.72
    second = has_acc & (rng.random(n) < cfg.rate("second_storefront_account"))
    owners = np.concatenate([np.flatnonzero(has_acc), np.flatnonzero(second)])
    is_second = np.concatenate([np.zeros(int(has_acc.sum()), bool), np.ones(int(second.sum()),
                                                                             bool)])
    order = np.argsort(owners, kind="stable")
    owners, is_second = owners[order], is_second[order]
    k = owners.size
    first_account = np.full(n, -1, dtype=np.int64)
    second_account = np.full(n, -1, dtype=np.int64)
    idx = np.arange(k)
    first_account[owners[~is_second]] = idx[~is_second]
    second_account[owners[is_second]] = idx[is_second]

    take = pa.array(owners)
    first, last, noise = pp.noisy_names(people.first.take(take), people.last.take(take), rng,
                                        typo=0.02, swap=0.005, case=0.05, deaccent=0.15)
    email = people.email.take(take)
    # a second account usually has a work or alternate address
    alt = t.cat(t.lower(t.sl(people.first.take(take), 0, 1)),
                pc.replace_substring_regex(t.lower(people.last.take(take)), "[^a-z]", ""),
                t.num(owners % 97), "@", t.pick(["acme-corp.com", "proton.me", "fastmail.com"],
                                                 owners % 3))
    email = t.where(is_second, alt, email)
    email = pp.noisy_email(email, rng, plus=0.06, case=0.10, dots=0.15, pad=0.02)
    country = people.country[owners]
    phone = pp.format_phone(country, people.phone_nsn.take(take), rng)
    phone = t.null_where(rng.random(k) < 0.15, phone)
    dob = pp.format_dob(people.dob_day[owners], country, rng)
    dob = t.null_where(rng.random(k) < 0.35, dob)
    line1 = pp.address_line(people.house[owners], people.street.take(take), country, rng, 0.2)
    created = window_start_us - (rng.integers(1, 700, k) * DAY_US) - rng.integers(
        0, 86_400, k) * 1_000_000
    customer_id = t.cat("SC-", t.num(idx + 100001))
    table = pa.table({
        "customer_id": customer_id,
        "email": email,
        "phone": phone,
        "first_name": first,
        "last_name": last,
        "date_of_birth": dob,
        "address_line1": line1,
        "address_line2": t.null_where(rng.random(k) < 0.85, t.cat("Apt ", t.num(
            rng.integers(1, 40, k)))),
        "city": people.city.take(take),
        "postal_code": people.postal.take(take),
        "region": people.region.take(take),
        "country": pa.array(country, pa.string()),
        "created_at": _ts(created),
        "_loaded_at": _ts(created + rng.integers(1, 60, k) * 1_000_000),
    })

    # CRM contacts: most people, some twice (duplicates with typos, swaps, missing email).
    has_crm = rng.random(n) < 0.80
    dup = has_crm & (rng.random(n) < cfg.rate("crm_duplicate_contact"))
    c_owner = np.concatenate([np.flatnonzero(has_crm), np.flatnonzero(dup)])
    c_is_dup = np.concatenate([np.zeros(int(has_crm.sum()), bool), np.ones(int(dup.sum()), bool)])
    order = np.argsort(c_owner, kind="stable")
    c_owner, c_is_dup = c_owner[order], c_is_dup[order]
    m = c_owner.size
    cidx = np.arange(m)
    crm_contact = np.full(n, -1, dtype=np.int64)
    crm_contact[c_owner[~c_is_dup]] = cidx[~c_is_dup]
    ctake = pa.array(c_owner)
    typo = np.where(c_is_dup, 0.35, 0.03)
    cf, cl, cnoise = pp.noisy_names(people.first.take(ctake), people.last.take(ctake), rng,
                                    typo=float(typo.mean()), swap=0.0, case=0.05, deaccent=0.2)
    # duplicates carry most of the typos and all of the swaps
    r = rng.random(m)
    swap = c_is_dup & (r < 0.15)
    cf, cl = t.where(swap, cl, cf), t.where(swap, cf, cl)
    cemail = pp.noisy_email(people.email.take(ctake), rng, plus=0.03, case=0.08, dots=0.1,
                            pad=0.01)
    cemail = t.null_where(c_is_dup & (rng.random(m) < 0.30) | (rng.random(m) < 0.04), cemail)
    ccountry = people.country[c_owner]
    cphone = pp.format_phone(ccountry, people.phone_nsn.take(ctake), rng)
    cphone = t.null_where(rng.random(m) < 0.20, cphone)
    cdob = t.null_where(rng.random(m) < 0.15, pp.format_dob(people.dob_day[c_owner], ccountry,
                                                            rng))
    stale = rng.random(m) < cfg.rate("crm_stale_address")
    house = np.where(stale, people.house[c_owner] + 11, people.house[c_owner])
    cline1 = pp.address_line(house, people.street.take(ctake), ccountry, rng, 0.3)
    cpostal = t.where(stale, _postal_variant(people.postal.take(ctake), rng),
                      people.postal.take(ctake))
    tier = np.array(VIP_TIERS)[np.searchsorted([0.75, 0.9, 0.97], rng.random(m))]
    ccreated = window_start_us - (rng.integers(1, 900, m) * DAY_US) - rng.integers(
        0, 86_400, m) * 1_000_000
    contacts = pa.table({
        "contact_id": t.cat("CRM-", t.num(cidx + 500001, 7)),
        "email": cemail,
        "phone": cphone,
        "first_name": cf,
        "last_name": cl,
        "date_of_birth": cdob,
        "address_line1": cline1,
        "address_line2": pa.nulls(m, pa.string()),
        "city": people.city.take(ctake),
        "postal_code": cpostal,
        "region": people.region.take(ctake),
        "country": pa.array(ccountry, pa.string()),
        "vip_tier": pa.array(tier, pa.string()),
        "created_at": _ts(ccreated),
        "updated_at": _ts(ccreated),
        "_loaded_at": _ts(ccreated + rng.integers(1, 600, m) * 1_000_000),
    })
    return {
        "first_account": first_account,
        "second_account": second_account,
        "account_owner": owners,
        "crm_contact": crm_contact,
        "crm_owner": c_owner,
        "crm_is_dup": c_is_dup,
        "crm_stale": stale,
        "crm_tier": tier,
        "customers": table,
        "contacts": contacts,
        "account_noise": noise,
        "crm_noise": cnoise,
    }


def _ts(us: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(us, dtype="datetime64[us]"), pa.timestamp("us"))

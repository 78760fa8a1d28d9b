"""Writes contact cards for every person with Python's vobject: the peer of
`nspm export vcard --vcard-version 3.0 --audience public`.

It reads the records nspm lists (`nspm people list --format json`, which shows
members-only details too, and `nspm society --format json`), keeps what the
public may see, and writes one bulk vCard 3.0 file with the fields nspm
writes: UID, FN, N, ORG, TITLE, ROLE, ADR (country only), EMAIL, TEL, URL.

Reading the JSON is not timed; writing the file is. The write's wall and CPU
time go to standard error as `write_ms=<wall> write_cpu_ms=<cpu>`, or
are appended to the file that BENCH_WRITE_TIMES names.

Usage: python vobject_write.py PEOPLE.json SOCIETY.json OUT.vcf
"""

import json
import sys
import time
import uuid

import vobject

import timing

ROLE_LABELS = {
    "steering-committee": "Steering committee",
    "chair": "Chair",
    "vice-chair": "Vice-chair",
    "secretary": "Secretary",
    "treasurer": "Treasurer",
}
PRODID = "-//Nordic Society for Precision Medicine//nspm//EN"


def public(contact, kind):
    detail = contact.get(kind)
    if detail and detail["visibility"] == "public":
        return detail["value"]
    return None


def title(society, role):
    if role == "steering-committee":
        return f"Member of the {society['initiative']['short_name']} Steering Committee"
    return f"{ROLE_LABELS[role]} of {society['short_name']}"


def card(society, p):
    c = vobject.vCard()
    c.add("prodid").value = PRODID
    name = f"nspm:{society['id']}/person/{p['id']}"
    c.add("uid").value = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"
    c.add("fn").value = p["name"]
    c.add("n").value = vobject.vcard.Name(family=p["family_name"], given=p["given_name"])
    if p["institution"]:
        c.add("org").value = [p["institution"]["name"]]
    if p["roles"]:
        c.add("title").value = " and ".join(title(society, r) for r in p["roles"])
        for r in p["roles"]:
            c.add("role").value = ROLE_LABELS[r]
    adr = c.add("adr")
    adr.value = vobject.vcard.Address(country=p["country"]["name"])
    adr.type_param = "work"
    contact = p["contact"]
    email = public(contact, "email")
    if email:
        e = c.add("email")
        e.value = email
        e.type_param = "INTERNET"
    phone = public(contact, "phone")
    if phone:
        t = c.add("tel")
        t.value = phone
        t.type_paramlist = ["WORK", "VOICE"]
    orcid = public(contact, "orcid")
    if orcid:
        c.add("url").value = f"https://orcid.org/{orcid}"
    web = public(contact, "web")
    if web:
        c.add("url").value = web
    return c.serialize()


def main():
    people_path, society_path, out_path = sys.argv[1:4]
    with open(people_path, encoding="utf-8") as f:
        people = json.load(f)
    with open(society_path, encoding="utf-8") as f:
        society = json.load(f)
    wall, cpu = time.perf_counter(), time.process_time()
    with open(out_path, "w", encoding="utf-8", newline="") as out:
        for p in people:
            out.write(card(society, p))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    timing.report(wall, cpu)


if __name__ == "__main__":
    main()

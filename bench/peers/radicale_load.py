"""Fills a Radicale storage folder with the cards and meetings nspm exports,
one object per card and per meeting, as Radicale keeps what clients PUT.

    radicale_load.py STORAGE USER CARDS.vcf PUBLIC.ics MEMBERS.ics

writes STORAGE/collection-root/USER/{addressbook,public,members}/ with each
collection's `.Radicale.props`. Objects are named by their UID, as nspm
names them, so that both servers hold the same objects under the same
names. An existing collection is replaced whole.

    radicale_load.py card STORAGE USER CARDS.vcf TEXT

replaces only the cards of CARDS.vcf that hold TEXT: what a client's PUT of
one changed card would leave in the storage.
"""

import json
import re
import shutil
import sys
from pathlib import Path


def blocks(text, kind):
    """Each BEGIN:KIND ... END:KIND block of `text`, with its CRLFs."""
    pattern = re.compile(
        rf"^BEGIN:{kind}\r\n.*?^END:{kind}\r\n", re.DOTALL | re.MULTILINE
    )
    return pattern.findall(text)


def uid(block):
    """The UID of one card or event, unfolded."""
    unfolded = block.replace("\r\n ", "").replace("\r\n\t", "")
    match = re.search(r"^UID:(.*)\r$", unfolded, re.MULTILINE)
    if match is None:
        sys.exit(f"radicale_load: an object has no UID:\n{block}")
    return match.group(1)


def name(uid_value):
    """A file name for an object as nspm names it: its UID, without the
    `urn:uuid:` of a card's, with anything unsafe replaced."""
    bare = uid_value.removeprefix("urn:uuid:")
    return re.sub(r"[^A-Za-z0-9@._-]", "_", bare)


def collection(root, props):
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / ".Radicale.props").write_text(json.dumps(props))


def load_cards(root, text):
    collection(root, {"tag": "VADDRESSBOOK", "D:displayname": "Members"})
    cards = blocks(text, "VCARD")
    for card in cards:
        (root / f"{name(uid(card))}.vcf").write_bytes(card.encode())
    return len(cards)


def load_calendar(root, text, display):
    collection(
        root,
        {
            "tag": "VCALENDAR",
            "D:displayname": display,
            "C:supported-calendar-component-set": "VEVENT",
        },
    )
    head = text[: text.index("BEGIN:VEVENT")]
    # The calendar's own properties (its name, refresh interval) belong to
    # the collection, not to each object; VERSION and PRODID stay.
    keep = [
        line
        for line in head.split("\r\n")
        if line.startswith(("BEGIN:VCALENDAR", "VERSION:", "PRODID:", "CALSCALE:"))
    ]
    zones = "".join(blocks(text, "VTIMEZONE"))
    events = blocks(text, "VEVENT")
    for event in events:
        body = "\r\n".join(keep) + "\r\n" + zones + event + "END:VCALENDAR\r\n"
        (root / f"{name(uid(event))}.ics").write_bytes(body.encode())
    return len(events)


def read(path):
    return Path(path).read_bytes().decode()


def replace_cards(home, text, needle):
    changed = [c for c in blocks(text, "VCARD") if needle in c]
    if not changed:
        sys.exit(f"radicale_load: no card holds {needle!r}")
    for card in changed:
        path = home / "addressbook" / f"{name(uid(card))}.vcf"
        if not path.exists():
            sys.exit(f"radicale_load: {path} is not there to replace")
        path.write_bytes(card.encode())
    print(f"radicale_load: {len(changed)} card replaced")


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "card":
        storage, user, cards, needle = sys.argv[2:]
        replace_cards(Path(storage) / "collection-root" / user, read(cards), needle)
        return
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    storage, user, cards, public, members = sys.argv[1:]
    home = Path(storage) / "collection-root" / user
    n = load_cards(home / "addressbook", read(cards))
    p = load_calendar(home / "public", read(public), "Meetings")
    m = load_calendar(home / "members", read(members), "Members' meetings")
    print(f"radicale_load: {n} cards, {p} public and {m} members' meetings")


main()

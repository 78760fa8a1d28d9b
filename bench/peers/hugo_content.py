"""Writes a Hugo site of every person, the peer of `nspm export site`'s
people pages: the config and layouts beside this file (hugo/), and one
Markdown page per person with front matter naming them, their institution
and their country, plus the people section's list page.

Usage: python hugo_content.py PEOPLE.json SITE_DIR
(PEOPLE.json as `nspm people list --format json` writes it.)
"""

import json
import os
import shutil
import sys


def main():
    people_path, site = sys.argv[1:3]
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hugo")
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(here, site)
    content = os.path.join(site, "content", "people")
    os.makedirs(content)
    with open(os.path.join(site, "content", "_index.md"), "w", encoding="utf-8") as f:
        f.write('+++\ntitle = "Nordic Society for Precision Medicine"\n+++\n')
    with open(os.path.join(content, "_index.md"), "w", encoding="utf-8") as f:
        f.write('+++\ntitle = "People"\n+++\n')
    with open(people_path, encoding="utf-8") as f:
        people = json.load(f)
    for p in people:
        # JSON strings are valid TOML basic strings.
        lines = ["+++", f"title = {json.dumps(p['name'], ensure_ascii=False)}"]
        if p["institution"]:
            lines.append(f"institution = {json.dumps(p['institution']['name'], ensure_ascii=False)}")
        lines.append(f"country = {json.dumps(p['country']['name'], ensure_ascii=False)}")
        lines.append("+++\n")
        with open(os.path.join(content, f"{p['id']}.md"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines))


if __name__ == "__main__":
    main()

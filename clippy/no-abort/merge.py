#!/usr/bin/env python3
"""Merges the no-abort list (the clippy.toml beside this script) into your
own clippy.toml, and prints the result.

Clippy reads one configuration file and has no way to include another, and
TOML does not allow a key twice, so a `disallowed-methods` of your own and
this list's cannot simply be concatenated. This keeps your file as it is,
except for its `disallowed-methods`, `disallowed-macros` and
`disallowed-types`, which it writes again at the end: your entries first,
then this list's, leaving out an entry of the list whose path yours already
names (clippy would keep only one of the two).

    python3 path/to/clippy/no-abort/merge.py clippy.toml > merged.toml
    mv merged.toml clippy.toml

Without an argument, or for a file that does not exist, it prints the list
alone. Needs Python 3.11 (tomllib).
"""

import json
import re
import sys
import tomllib
from pathlib import Path

KEYS = ("disallowed-methods", "disallowed-macros", "disallowed-types")
LIST = Path(__file__).resolve().parent / "clippy.toml"


def fail(message):
    print(f"merge.py: {message}", file=sys.stderr)
    sys.exit(1)


def path_of(entry):
    return entry if isinstance(entry, str) else entry.get("path")


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        # A JSON string without ASCII escaping is a TOML basic string.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {toml_value(item)}" for key, item in value.items()) + " }"
    fail(f"cannot write the value {value!r}")


def without_keys(text):
    """`text` without the top-level assignments of KEYS."""
    lines = text.splitlines()
    kept = []
    index = 0
    at_top = True
    while index < len(lines):
        line = lines[index]
        if re.match(r"\s*\[", line) and not re.match(r"\s*\[\s*[\"'{]", line):
            at_top = False
        key = re.match(r"\s*[\"']?([A-Za-z0-9_-]+)[\"']?\s*=", line)
        if at_top and key and key.group(1) in KEYS:
            # The assignment ends at the first line where it parses alone.
            for end in range(index, len(lines)):
                try:
                    tomllib.loads("\n".join(lines[index : end + 1]))
                except tomllib.TOMLDecodeError:
                    continue
                break
            else:
                fail(f"cannot find where `{key.group(1)}` ends")
            index = end + 1
            continue
        kept.append(line)
        index += 1
    return "\n".join(kept).rstrip()


def main():
    ours = tomllib.loads(LIST.read_text())
    text = ""
    if len(sys.argv) > 2:
        fail("usage: merge.py [YOUR_CLIPPY_TOML]")
    if len(sys.argv) == 2 and Path(sys.argv[1]).exists():
        text = Path(sys.argv[1]).read_text()
    try:
        yours = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        fail(f"{sys.argv[1]} is not valid TOML: {error}")
    rest = without_keys(text)
    left = [key for key in KEYS if key in tomllib.loads(rest)]
    if left:
        fail(f"{sys.argv[1]} sets {', '.join(left)} in a form this script cannot rewrite")
    out = [rest, ""] if rest else []
    out.append("# Your entries first, then wasmtime-error's no-abort list (merge.py).")
    for key in KEYS:
        entries = list(yours.get(key, []))
        named = {path_of(entry) for entry in entries}
        entries += [entry for entry in ours.get(key, []) if path_of(entry) not in named]
        if not entries:
            continue
        out.append(f"{key} = [")
        out += [f"    {toml_value(entry)}," for entry in entries]
        out.append("]")
    merged = "\n".join(out) + "\n"
    check = tomllib.loads(merged)
    for key in set(yours) - set(KEYS):
        if check.get(key) != yours[key]:
            fail(f"merging would change `{key}`: not written")
    sys.stdout.write(merged)


main()

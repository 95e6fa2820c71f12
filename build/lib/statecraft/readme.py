"""Regenerate the parameter table in README.md from :data:`statecraft.params.PARAMETERS`.

Run ``python -m statecraft.readme`` (or ``make readme-params``); a test fails when the
README's table differs from what this writes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .params import parameter_table_markdown

START, END = "<!-- params:start -->\n", "<!-- params:end -->"


def update(path: Path) -> bool:
    """Rewrite the table between the markers; return True if the file changed."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), flags=re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"{path}: no '{START.strip()}' ... '{END}' markers")
    new = pattern.sub(lambda _: START + parameter_table_markdown() + END, text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main() -> int:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    changed = update(path)
    print(f"{path}: parameter table {'updated' if changed else 'already current'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

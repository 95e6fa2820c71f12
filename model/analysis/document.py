"""A report as a list of blocks, written as one folder: self-contained HTML, Markdown, tables.

``report.html`` embeds every figure as a base64 PNG and has no external link, script or font, so
it opens offline and can be mailed as one file. ``report.md`` shows the same text with the
figures from ``figures/``. Every table is also written as ``tables/<name>.csv`` and
``tables/<name>.parquet`` (tidy, one row per group and metric).
"""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..files import check_output_folder

__all__ = ["REPORT_FILES", "Document", "check_report_folder", "fmt"]

#: What a report folder holds (all a report may replace in its ``--out``).
REPORT_FILES = frozenset({"report.html", "report.md", "figures", "tables"})

CSS = """
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.55em; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.85em; color: #555; }
.note { background: #fff6dd; border-left: 4px solid #e0a800; padding: 0.4em 0.8em; }
"""


def fmt(value: object) -> str:
    """A number as a reader wants it: about three significant figures, thousands separated."""
    if value is None:
        return "n/a"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m")
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isnan(v):
            return "n/a"
        a = abs(v)
        if a >= 1000:
            return f"{v:,.0f}"
        if a >= 100:
            return f"{v:.0f}"
        if a >= 10:
            return f"{v:.1f}"
        if a >= 1:
            return f"{v:.2f}"
        if a == 0:
            return "0"
        return f"{v:.2g}" if a < 0.01 else f"{v:.3f}".rstrip("0").rstrip(".")
    return str(value)


@dataclass
class _Block:
    kind: str  # heading | text | note | table | figure | list
    content: object
    extra: str = ""


@dataclass
class Document:
    """Blocks of a report, in reading order, and the tables to save beside it."""

    title: str
    blocks: list[_Block] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, bytes] = field(default_factory=dict)

    def heading(self, text: str) -> None:
        self.blocks.append(_Block("heading", text))

    def text(self, text: str) -> None:
        self.blocks.append(_Block("text", text))

    def note(self, text: str) -> None:
        self.blocks.append(_Block("note", text))

    def bullets(self, items: list[str]) -> None:
        if items:
            self.blocks.append(_Block("list", list(items)))

    def table(self, shown: pd.DataFrame, caption: str = "") -> None:
        """Show ``shown`` (already formatted for reading) in the report."""
        self.blocks.append(_Block("table", shown, caption))

    def save_table(self, name: str, table: pd.DataFrame) -> None:
        """Save ``table`` as ``tables/<name>.csv`` and ``.parquet`` (not shown)."""
        self.tables[name] = table

    def figure(self, name: str, png: bytes, caption: str) -> None:
        self.figures[name] = png
        self.blocks.append(_Block("figure", name, caption))

    # --- rendering ------------------------------------------------------------------------
    def html(self) -> str:
        out = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{html.escape(self.title)}</title><style>{CSS}</style></head><body>",
            f"<h1>{html.escape(self.title)}</h1>",
        ]
        for b in self.blocks:
            if b.kind == "heading":
                out.append(f"<h2>{html.escape(str(b.content))}</h2>")
            elif b.kind == "text":
                out.append(f"<p>{html.escape(str(b.content))}</p>")
            elif b.kind == "note":
                out.append(f'<p class="note">{html.escape(str(b.content))}</p>')
            elif b.kind == "list":
                items = "".join(f"<li>{html.escape(s)}</li>" for s in b.content)
                out.append(f"<ul>{items}</ul>")
            elif b.kind == "table":
                df = _strings(b.content)
                cap = f"<caption>{html.escape(b.extra)}</caption>" if b.extra else ""
                head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
                rows = "".join(
                    "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>"
                    for r in df.itertuples(index=False, name=None)
                )
                out.append(
                    f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
                )
            elif b.kind == "figure":
                data = base64.b64encode(self.figures[b.content]).decode("ascii")
                alt = html.escape(b.extra)
                out.append(
                    f'<figure><img src="data:image/png;base64,{data}" alt="{alt}">'
                    f"<figcaption>{alt}</figcaption></figure>"
                )
        out.append("</body></html>")
        return "\n".join(out) + "\n"

    def markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for b in self.blocks:
            if b.kind == "heading":
                out += [f"## {b.content}", ""]
            elif b.kind == "text":
                out += [str(b.content), ""]
            elif b.kind == "note":
                out += [f"> **Note.** {b.content}", ""]
            elif b.kind == "list":
                out += [*(f"- {s}" for s in b.content), ""]
            elif b.kind == "table":
                df = _strings(b.content)
                if b.extra:
                    out += [f"*{b.extra}*", ""]
                out.append("| " + " | ".join(str(c) for c in df.columns) + " |")
                out.append("|" + "---|" * len(df.columns))
                for r in df.itertuples(index=False, name=None):
                    out.append("| " + " | ".join(v.replace("|", "\\|") for v in r) + " |")
                out.append("")
            elif b.kind == "figure":
                out += [f"![{b.extra}](figures/{b.content}.png)", "", f"*{b.extra}*", ""]
        return "\n".join(out)

    def write(self, out: str | Path) -> list[Path]:
        """Write ``report.html``, ``report.md``, ``figures/*.png`` and ``tables/*`` to ``out``.

        ``out`` must be missing, empty or a report folder (:data:`REPORT_FILES`; the rule of
        every command that writes, :func:`statecraft.files.check_output_folder`).

        Raises
        ------
        AnalysisError
            If ``out`` is refused (the root, a symlink, a file, someone else's folder).
        """
        out = check_report_folder(out)
        (out / "figures").mkdir(parents=True, exist_ok=True)
        (out / "tables").mkdir(exist_ok=True)
        written = []
        for name, data in self.figures.items():
            p = out / "figures" / f"{name}.png"
            p.write_bytes(data)
            written.append(p)
        for name, df in self.tables.items():
            csv, pq = out / "tables" / f"{name}.csv", out / "tables" / f"{name}.parquet"
            df.to_csv(csv, index=False)
            df.to_parquet(pq, index=False)
            written += [csv, pq]
        for name, text in (("report.html", self.html()), ("report.md", self.markdown())):
            p = out / name
            p.write_text(text, encoding="utf-8")
            written.append(p)
        return written


def check_report_folder(out: str | Path) -> Path:
    """Refuse a report folder that is not missing, empty or a report's (one-line
    :class:`AnalysisError`); see :func:`statecraft.files.check_output_folder`."""
    return check_output_folder(out, REPORT_FILES, "a report", error=AnalysisError)


def _strings(df: pd.DataFrame) -> pd.DataFrame:
    return df.apply(lambda col: col.map(fmt)).astype(str) if len(df) else df.astype(str)

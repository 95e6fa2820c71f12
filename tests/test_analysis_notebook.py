"""The example notebook experiments/analysis.ipynb runs top to bottom (as CI would)."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tests.processes import TIMEOUT_S


def test_example_notebook_runs(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.delenv("STATECRAFT_SWEEP", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the demonstration sweep goes here
    nb = nbformat.read(ROOT / "experiments" / "analysis.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=TIMEOUT_S,  # per cell, and for the kernel to start: ends a hang, nothing else
        startup_timeout=TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors
    text = "\n".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert "tiny_cutoff" in text  # the comparison's sentences were printed
    images = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]
    assert len(images) >= 2  # heatmaps and fan chart drawn inline

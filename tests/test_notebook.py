"""A real notebook, executed by a real kernel (nbclient, ipykernel), shows the player."""
from __future__ import annotations

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (a test extra)")
nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (a test extra)")
pytest.importorskip("ipykernel", reason="ipykernel is not installed (a test extra)")


def test_a_cell_ending_in_animate_shows_the_player(tiny_trace, tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(f"import gananim\nplayer = gananim.animate({str(tiny_trace)!r}, frames=3)\nplayer"),
        nbformat.v4.new_code_cell("type(player.animation).__name__"),
    ])
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    shown = notebook.cells[0].outputs[-1]["data"]
    assert shown["text/html"].startswith("<iframe srcdoc=") and "gananim-video" in shown["text/html"]
    assert "data:video/webm;base64," in shown["text/html"] and 'sandbox="allow-scripts"' in shown["text/html"]
    assert notebook.cells[1].outputs[-1]["data"]["text/plain"] == "'FuncAnimation'"

"""Reports: run a capkit notebook with papermill and export it as self-contained HTML.

The HTML uses capkit's ``capkit-offline`` nbconvert template (no require.js, MathJax or widget
manager from a CDN) and the notebooks' static mode (``interactive=False``: SVG charts), so it
opens from a file with no network. Output is written to a temporary file and renamed, so a
failed run leaves the previous report in place.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from capkit.serve import jupyter_share_dir, notebook_path


def _replace_atomically(path: Path, data: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def execute(notebook: Path | str, parameters: Mapping[str, Any]) -> Any:
    """Run a notebook with papermill (parameters injected after its ``parameters`` cell)."""
    import papermill as pm

    return pm.execute_notebook(
        str(notebook),
        None,
        parameters=dict(parameters),
        progress_bar=False,
        kernel_name="python3",
        cwd=str(Path(notebook).parent),
    )


def to_html(nb: Any, title: str = "capkit") -> str:
    """An executed notebook as offline HTML, input cells hidden."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="capkit-offline",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        extra_template_basedirs=[str(jupyter_share_dir() / "nbconvert" / "templates")],
    )
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb)
    return body


def export_html(out: Path | str, notebook: str = "planner.ipynb", **parameters: Any) -> Path:
    """Run a bundled notebook with ``parameters`` in static mode and write it as HTML to ``out``."""
    out = Path(out)
    nb = execute(notebook_path(notebook), {**parameters, "interactive": False})
    _replace_atomically(out, to_html(nb, title=out.stem))
    return out

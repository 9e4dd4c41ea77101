"""The chart library for the browser: vega, vega-lite and vega-embed as one static file.

vl-convert bundles the three libraries (the versions altair targets) into one classic script,
``javascript_bundle()``, with no network. capkit writes it once to a cache folder under a name
that carries both versions, and serves it at ``<base_url>capkit/static/<name>`` with a one-year,
immutable Cache-Control: a browser fetches it once and then reads it from its cache. The route
is added by ``capkit app`` (:mod:`capkit.voila_server`) and, for JupyterLab or any Jupyter Server, by
the server extension below (enabled by etc/jupyter/jupyter_server_config.d/capkit.json).

This module is the server side: kernels only need :func:`bundle_name`, which reads package
metadata and imports neither vl-convert nor altair.
"""

from __future__ import annotations

import asyncio
import os
import re
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from tornado import web

from capkit.units import S_PER_DAY

#: Where the bundle is served, below the server's base URL.
ROUTE = "capkit/static/"
#: A year: the name changes whenever the content can.
MAX_AGE_S = int(365 * S_PER_DAY)


@cache
def bundle_name() -> str:
    """``vega-<vl-convert version>-vl<vega-lite version>.js``: its content is fixed by both."""
    vlc = metadata.version("vl-convert-python")
    vl = _vega_lite_version()
    return f"vega-{vlc}-vl{vl}.js"


def _vega_lite_version() -> str:
    """The Vega-Lite version of altair's schema (``6.4.1``), read from altair's source, unimported."""
    files = metadata.files("altair") or []
    schema = next((f for f in files if str(f).replace("\\", "/").endswith("vegalite/v6/schema/__init__.py")), None)
    if schema is not None:
        match = re.search(r'SCHEMA_VERSION\s*=\s*"v?([\d.]+)"', schema.read_text())
        if match:
            return match.group(1)
    import altair

    return altair.SCHEMA_VERSION.lstrip("v")


def cache_dir() -> Path:
    """capkit's cache folder ($XDG_CACHE_HOME/capkit, else ~/.cache/capkit)."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "capkit"


def ensure_bundle(folder: Path | None = None) -> Path:
    """The bundle's path, written (about 0.9 MB, 2 to 3 s) if it is not there yet."""
    from capkit.files import write_atomically

    folder = folder or cache_dir()
    path = folder / bundle_name()
    if not path.is_file():
        import vl_convert as vlc

        folder.mkdir(parents=True, exist_ok=True)
        version = _vega_lite_version().rsplit(".", 1)[0]
        write_atomically(path, vlc.javascript_bundle(vl_version=f"v{version}"))
    return path


class BundleHandler(web.StaticFileHandler):
    """Serves the bundle, writing it on first request; cached by browsers for a year."""

    def initialize(self, path: str, default_filename: str | None = None) -> None:
        super().initialize(path, default_filename)

    async def get(self, path: str, include_body: bool = True) -> None:
        if path != bundle_name():
            raise web.HTTPError(404)
        # Writing it takes a few seconds once: off the server's event loop.
        await asyncio.get_running_loop().run_in_executor(None, ensure_bundle, Path(self.root))
        await super().get(path, include_body)

    def get_cache_time(self, path: str, modified: Any, mime_type: str) -> int:
        return MAX_AGE_S

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", f"public, max-age={MAX_AGE_S}, immutable")


def handlers(base_url: str = "/") -> list[tuple[str, type, dict[str, Any]]]:
    """The tornado route for the bundle below ``base_url``."""
    return [(f"{base_url.rstrip('/')}/{ROUTE}(.*)", BundleHandler, {"path": str(cache_dir())})]


# --- the Jupyter Server extension (JupyterLab, Notebook, Binder) ----------------------------------
def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "capkit.vega"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Add the bundle's route to a running Jupyter Server."""
    web_app = serverapp.web_app
    web_app.add_handlers(".*$", handlers(web_app.settings.get("base_url", "/")))

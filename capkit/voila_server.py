"""The Voila server ``capkit app`` runs: Host check, a bound on sessions, culling of idle kernels.

Everything here is Jupyter Server's or Voila's own mechanism, configured:

- **Host check.** Jupyter Server refuses a request whose Host header is not loopback or one of
  ``local_hostnames`` unless ``allow_remote_access`` is set (``JupyterHandler.check_host``);
  Voila switches it off in its settings, and :class:`CapkitVoila` switches it back on. That
  closes DNS rebinding: a page on evil.example.com that resolves its name to 127.0.0.1 sends
  ``Host: evil.example.com`` and is refused (403) for the page, the kernel API and the websocket.
- **Sessions.** Each page gets a kernel of about 145 MB. :class:`BoundedKernelManager` counts
  the pages admitted and the kernels shut down; past ``max_sessions`` a page request gets a
  short "busy" page (HTTP 503, ``Retry-After``) and no kernel starts.
- **The page's messages.** A page may send its kernel only the message types in Jupyter
  Server's ``allowed_message_types`` (``ZMQChannelsWebsocketConnection.handle_incoming_message``
  ignores the rest). Voila allows widget traffic and ``kernel_info_request``, refusing
  ``execute_request``, and also ``shutdown_request``, with which a page could restart its kernel
  empty; :class:`BoundedKernelManager` takes that one out (idle kernels are culled instead).
- **Culling.** Jupyter Server's culler (``cull_idle_timeout``, ``cull_interval``) shuts down a
  kernel with no page attached after 2 idle minutes; a kernel whose page is still open is
  shut down after 10 idle minutes (``connected_idle_timeout`` below).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import threading

import tornado.web
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ensure_async
from traitlets import Bool, Integer, List, Unicode
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

from capkit import vega
from capkit.serve import CONNECTED_IDLE_S

#: What a visitor past ``max_sessions`` is told; the browser retries on its own after a minute.
BUSY_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><meta http-equiv='refresh' content='60'>"
    "<title>capkit: busy</title></head><body style='font-family:sans-serif;margin:3em'>"
    "<h2 class='capkit-busy'>capkit is busy, try again in a minute.</h2>"
    "<p>{sessions} planners are open, the most this server runs at once. This page retries by itself.</p>"
    "</body></html>"
)


#: Kernel messages a page may not send, besides those Voila already refuses (execute_request).
REFUSED_MESSAGES = ("shutdown_request",)


class BoundedKernelManager(AsyncMappingKernelManager):
    """Jupyter Server's kernel manager with a count of open sessions and a longer idle time for
    kernels whose page is still attached. Voila's pre-heating pool is built on top of it."""

    max_sessions = Integer(0, config=True, help="pages served at once; 0: no bound")
    connected_idle_timeout = Integer(
        CONNECTED_IDLE_S, config=True, help="idle seconds before a kernel with a page attached is culled"
    )

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.sessions_admitted = 0
        self.sessions_ended = 0
        # Voila lets a page send shutdown_request on its kernel's websocket; a page has no need
        # to (its kernel is culled when idle) and a crafted one would restart the kernel empty.
        self.allowed_message_types = [t for t in self.allowed_message_types if t not in REFUSED_MESSAGES]

    @property
    def open_sessions(self) -> int:
        """Pages admitted whose kernel has not been shut down yet."""
        return self.sessions_admitted - self.sessions_ended

    def admit(self) -> bool:
        """Count a new page if there is room; False when ``max_sessions`` are open."""
        if self.max_sessions and self.open_sessions >= self.max_sessions:
            return False
        self.sessions_admitted += 1
        return True

    async def start_kernel(self, *args: object, **kwargs: object) -> str:
        """Jupyter Server's, with the kernel's own standard error kept off the terminal: its
        transport warning and the errors of a kernel stopped mid-reply when the server stops
        are not the user's to read (the page shows a kernel's failures; Voila logs its deaths)."""
        kwargs.setdefault("stderr", subprocess.DEVNULL)
        return await super().start_kernel(*args, **kwargs)

    async def shutdown_kernel(self, kernel_id: str, now: bool = False, restart: bool = False) -> None:
        await ensure_async(super().shutdown_kernel(kernel_id, now=now, restart=restart))
        if not restart:
            self.sessions_ended = min(self.sessions_ended + 1, self.sessions_admitted)

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """Jupyter Server's rule (``cull_idle_timeout``) for kernels with no page attached; a
        kernel with a page attached waits ``connected_idle_timeout`` instead."""
        kernel = self._kernels.get(kernel_id)
        if kernel is None:
            return
        if self._kernel_connections.get(kernel_id, 0) and hasattr(kernel, "last_activity"):
            idle = dt.datetime.now(dt.UTC) - kernel.last_activity
            if idle < dt.timedelta(seconds=self.connected_idle_timeout):
                return
        await ensure_async(super().cull_kernel_if_idle(kernel_id))


class BoundedVoilaHandler(TornadoVoilaHandler):
    """Voila's page handler, which first asks the kernel manager for room."""

    @tornado.web.authenticated
    async def get(self, path: str | None = None) -> None:
        manager = self.kernel_manager
        starts_kernel = not (self.notebook_path and path)  # other paths are redirects to files
        if starts_kernel and isinstance(manager, BoundedKernelManager) and not manager.admit():
            self.set_status(503)
            self.set_header("Retry-After", "60")
            self.finish(BUSY_PAGE.format(sessions=manager.open_sessions))
            return
        await super().get(path)


class CapkitVoila(Voila):
    """Voila with Jupyter Server's Host check back on and the bounded page handler."""

    allow_remote_access = Bool(False, config=True, help="accept any Host header (serving a public interface)")
    local_hostnames = List(Unicode(), ["localhost"], config=True, help="host names accepted besides loopback addresses")

    def init_settings(self) -> dict:
        settings = super().init_settings()
        settings["allow_remote_access"] = self.allow_remote_access
        settings["local_hostnames"] = list(self.local_hostnames)
        return settings

    def init_handlers(self) -> list:
        """Voila's handlers with the bounded page handler, and the chart library's route (the
        bundle is written now, in the background, so the first page does not wait for it)."""
        threading.Thread(target=_prepare_charts, name="capkit-charts", daemon=True).start()
        voila = [
            (h[0], BoundedVoilaHandler, *h[2:]) if h[1] is TornadoVoilaHandler else h for h in super().init_handlers()
        ]
        return [*vega.handlers(self.server_url), *voila]


def _prepare_charts() -> None:
    """The chart library for the pages and the chart skeletons for the kernels, made once."""
    from capkit import charts

    vega.ensure_bundle()
    charts.warm_skeletons()


main = CapkitVoila.launch_instance

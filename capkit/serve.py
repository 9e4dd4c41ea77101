"""Serving the planner: ``capkit app`` runs a bundled notebook with Voila on 127.0.0.1.

This module is the server side and stays light (no altair, no widgets): the launcher only
finds the notebook and the templates and starts capkit's Voila server (:mod:`capkit.voila_server`,
which also serves the chart library, :mod:`capkit.vega`) with a pre-heated kernel.
"""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from capkit.units import BYTES_PER_MIB, KIB_PER_MIB

#: Set by ``capkit app`` for the Voila server and its kernels: start faster (see below).
FAST_START_ENV = "CAPKIT_FAST_START"
#: The folder `capkit app` was started in: stack files named by the page must lie under it.
STACK_ROOT_ENV = "CAPKIT_STACK_ROOT"
#: jsonschema (imported by altair and by Jupyter) imports rfc3987_syntax, when installed, for
#: its optional 'iri' format check; that module compiles a Lark grammar at import, 2.7 s on
#: this machine. Nothing capkit runs checks IRIs, so the processes ``capkit app`` starts skip it.
SKIP_IRI_GRAMMAR = "import sys; sys.modules.setdefault('rfc3987_syntax', None)"
#: How long Voila waits for a cell's outputs after the cell's reply (nbclient's default is 4 s).
IOPUB_TIMEOUT_S = 60
#: Memory one session of a notebook that declares none holds (MB): the most any bundled
#: notebook's kernel was measured at, rounded up. Each bundled notebook declares its own in its
#: metadata (``capkit.kernel_mb``): the kernel's peak RSS running it, rounded up (planner 116 MB,
#: 142 MB under load; compare 249; analysis 202 alone and 285 served; case studies 334).
SESSION_MB = 350
#: Share of the memory available at start that sessions may take by default.
MEMORY_SHARE = 0.75
#: A kernel with no page attached is culled after this many idle seconds.
UNATTACHED_IDLE_S = 120
#: A kernel whose page is open is culled after this many idle seconds.
CONNECTED_IDLE_S = 600


def skip_iri_grammar() -> None:
    """Make ``import rfc3987_syntax`` fail fast, so jsonschema leaves out its 'iri' check."""
    exec(SKIP_IRI_GRAMMAR)


def notebook_path(name: str = "planner.ipynb") -> Path:
    """A bundled notebook: capkit/notebooks in the wheel, notebooks/ in a checkout."""
    packaged = Path(str(resources.files("capkit") / "notebooks" / name))
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "notebooks" / name


def jupyter_share_dir() -> Path:
    """capkit's own Jupyter data (the offline Voila and nbconvert templates)."""
    return Path(str(resources.files("capkit") / "share" / "jupyter"))


def available_memory_mb() -> float:
    """Memory available for new processes (Linux MemAvailable), else the physical memory."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / KIB_PER_MIB  # /proc/meminfo counts kB of 1,024 bytes
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / BYTES_PER_MIB


def kernel_mb(notebook: Path) -> float:
    """The memory one session of ``notebook`` holds (MB): its metadata's ``capkit.kernel_mb``,
    else SESSION_MB."""
    try:
        declared = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {}).get("capkit", {})
        return float(declared.get("kernel_mb", SESSION_MB))
    except (OSError, ValueError, AttributeError, TypeError):
        return float(SESSION_MB)


def default_max_sessions(session_mb: float = SESSION_MB) -> int:
    """Sessions that fit in MEMORY_SHARE of the available memory at ``session_mb`` each (at least 1)."""
    return max(1, int(MEMORY_SHARE * available_memory_mb() / session_mb))


def is_loopback(host: str) -> bool:
    """True for a name or address that means this machine only (``localhost``, 127.x, ``::1``,
    ``[::1]``)."""
    name = host.strip().strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def voila_command(
    notebook: Path,
    port: int,
    host: str = "127.0.0.1",
    open_browser: bool = False,
    max_sessions: int | None = None,
    allow_hosts: Sequence[str] = (),
) -> list[str]:
    """The command line of capkit's Voila server (:mod:`capkit.voila_server`) for ``notebook``:
    capkit's offline template, one pre-heated kernel, the Host check, bounded sessions, culling.

    Host headers: loopback only when ``host`` is loopback; any when ``host`` is a public
    interface; only ``allow_hosts`` (and loopback addresses) when given, to serve behind a proxy.
    """
    launcher = f"{SKIP_IRI_GRAMMAR}; from capkit.voila_server import main; sys.exit(main())"
    names = list(allow_hosts) or ["localhost"]
    sessions = default_max_sessions(kernel_mb(notebook)) if max_sessions is None else max_sessions
    cmd = [
        sys.executable,
        "-c",
        launcher,
        str(notebook),
        f"--port={port}",
        f"--Voila.ip={host}",
        "--template=capkit",
        "--theme=light",
        "--preheat_kernel=True",
        # nbclient stops collecting a cell's outputs 4 s after its reply by default; under load
        # the planner's widget messages can come later, and the page then shows no planner.
        f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT_S}",
        "--pool_size=1",
        "--VoilaConfiguration.multi_kernel_manager_class=capkit.voila_server.BoundedKernelManager",
        f"--BoundedKernelManager.max_sessions={sessions}",
        # Voila's shutdown-on-close request is refused (403, voila-dashboards/voila#1458), so
        # kernels are culled instead: with no page attached after 2 idle minutes, with a page
        # after 10 (BoundedKernelManager.connected_idle_timeout); the page then says its session
        # has ended (capkit.widgets.SessionWatch).
        f"--MappingKernelManager.cull_idle_timeout={UNATTACHED_IDLE_S}",
        "--MappingKernelManager.cull_interval=30",
        "--MappingKernelManager.cull_connected=True",
        f"--CapkitVoila.allow_remote_access={not allow_hosts and not is_loopback(host)}",
        *(f"--CapkitVoila.local_hostnames={name}" for name in names),
    ]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd


def voila_env(stack_root: Path | str | None = None) -> dict[str, str]:
    """The environment Voila runs in: capkit's templates on JUPYTER_PATH, fast start on, and the
    folder stack files may come from (the working directory unless given)."""
    env = dict(os.environ)
    env[FAST_START_ENV] = "1"
    env[STACK_ROOT_ENV] = str(Path(stack_root or os.getcwd()).resolve())
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(jupyter_share_dir()), env.get("JUPYTER_PATH", "")) if p)
    return env


def serve(
    port: int = 8866,
    host: str = "127.0.0.1",
    open_browser: bool = True,
    notebook: str = "planner.ipynb",
    max_sessions: int | None = None,
    allow_hosts: Sequence[str] = (),
) -> int:
    """``capkit app``: serve the planner with Voila until interrupted; returns Voila's exit status."""
    if not is_loopback(host) and not allow_hosts:
        print(f"capkit: warning: serving on {host}: anyone who can reach it can use the planner", file=sys.stderr)
    path = notebook_path(notebook)
    cmd = voila_command(path, port, host, open_browser, max_sessions, allow_hosts)
    print(f"capkit planner: http://{host}:{port}/  (serving {path.name}; Ctrl+C to stop)", flush=True)
    server = subprocess.Popen(cmd, env=voila_env())
    try:
        return server.wait()
    except BaseException:  # Ctrl+C, or SIGTERM (capkit.cli raises on it): stop Voila, then say so
        stop_server(server)
        raise


#: Seconds Voila has to shut its kernels down after SIGTERM before it is killed.
STOP_GRACE_S = 20


def stop_server(server: subprocess.Popen) -> None:
    """Ask the Voila server to stop (SIGTERM: it shuts its kernels down itself), waiting up to
    STOP_GRACE_S before killing it."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

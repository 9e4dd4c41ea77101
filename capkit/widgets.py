"""Three small front-end widgets the apps need, written as anywidgets (inline ES modules, so they
load nothing from the network):

* :class:`VegaChart`: a chart drawn by vega in the page from the Vega-Lite spec the kernel
  sends. The library itself is not in the widget: the module loads capkit's bundle once per
  page with a script tag from ``<base_url>capkit/static/`` (see :mod:`capkit.vega`), which the
  browser then keeps in its cache. Where no server serves it, the widget says so to the kernel,
  which shows the chart as an image instead.
* :class:`Download`: a button that asks the kernel for a file and saves it in the browser
  (plan CSV/JSON, charts). The file is made when clicked, so it is always the current one.
* :class:`SessionWatch`: notices when the page's kernel is gone (killed, or culled after being
  idle) and says so on the page, instead of leaving a page whose inputs silently do nothing.
  It pings the kernel only while the user is active, so an idle page still lets Voila cull its
  kernel.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import anywidget
import traitlets

DOWNLOAD_ESM = """
export default {
  render({ model, el }) {
    const button = document.createElement("button");
    button.className = "jupyter-button widget-button capkit-download";
    button.textContent = model.get("description");
    button.title = model.get("tooltip");
    button.addEventListener("click", () => {
      button.disabled = true;
      model.send({ event: "download" });
    });
    model.on("msg:custom", (msg) => {
      button.disabled = false;
      if (msg.error) { button.title = msg.error; return; }
      const bytes = Uint8Array.from(atob(msg.data), (c) => c.charCodeAt(0));
      const url = URL.createObjectURL(new Blob([bytes], { type: msg.mime }));
      const a = document.createElement("a");
      a.href = url;
      a.download = msg.filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    });
    el.appendChild(button);
  },
};
"""

SESSION_ESM = """
export default {
  render({ model, el }) {
    el.classList.add("capkit-session-watch");
    const banner = document.createElement("div");
    banner.className = "capkit-session-ended";
    banner.setAttribute("role", "alert");
    banner.textContent = model.get("message");
    Object.assign(banner.style, {
      display: "none", position: "fixed", top: "0", left: "0", right: "0", zIndex: "10000",
      padding: "14px", background: "#b00020", color: "white", font: "16px sans-serif", textAlign: "center",
    });
    document.body.appendChild(banner);
    let lastActive = Date.now();
    let waiting = null;
    const ended = () => { banner.style.display = "block"; };
    const ping = () => {
      if (waiting !== null || banner.style.display === "block") return;
      waiting = setTimeout(ended, model.get("timeout_ms"));
      try { model.send({ ping: Date.now() }); } catch (e) { ended(); }
    };
    model.on("msg:custom", (msg) => {
      if (msg.pong && waiting !== null) { clearTimeout(waiting); waiting = null; }
    });
    const active = () => { lastActive = Date.now(); ping(); };
    const events = ["pointerdown", "keydown", "change"];
    for (const name of events) document.addEventListener(name, active, true);
    const timer = setInterval(() => {
      if (Date.now() - lastActive < model.get("active_ms")) ping();
    }, model.get("interval_ms"));
    return () => {
      clearInterval(timer);
      for (const name of events) document.removeEventListener(name, active, true);
      banner.remove();
    };
  },
};
"""


VEGA_ESM = """
function bundleUrl(name) {
  let base = "/";
  const config = document.getElementById("jupyter-config-data");
  try { base = JSON.parse(config.textContent).baseUrl || "/"; } catch (e) { /* page without config: root */ }
  return (base.endsWith("/") ? base : base + "/") + "capkit/static/" + name;
}
function loadVega(name) {
  if (window.vegaEmbed) return Promise.resolve(window.vegaEmbed);
  if (!window.__capkitVega) {
    window.__capkitVega = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = bundleUrl(name);
      script.onload = () => resolve(window.vegaEmbed);
      script.onerror = () => { window.__capkitVega = null; reject(new Error("no chart library at " + script.src)); };
      document.head.appendChild(script);
    });
  }
  return window.__capkitVega;
}
export default {
  async render({ model, el }) {
    el.classList.add("capkit-vega");
    let view = null;
    let shown = null;
    let drawn = 0;
    const draw = async () => {
      const generation = ++drawn;
      let embed;
      try {
        embed = await loadVega(model.get("bundle"));
      } catch (e) {
        model.send({ event: "no-vega", error: String(e) });  // no library here: the kernel draws
        return;
      }
      if (generation !== drawn) return;
      const skeleton = model.get("skeleton");
      const datasets = JSON.parse(model.get("data"));
      if (view !== null && shown === skeleton) {
        try {
          // Same chart, new data: replace each named data set in place (the view, its legend
          // selection and its tooltips stay).
          for (const [name, values] of Object.entries(datasets)) view.data(name, values);
          await view.runAsync();
          return;
        } catch (e) {
          console.warn("capkit: redrawing the chart", e);
        }
      }
      const result = await embed(el, { ...JSON.parse(skeleton), datasets }, { actions: false, renderer: "svg" });
      if (generation !== drawn) { result.view.finalize(); return; }
      if (view !== null) view.finalize();
      view = result.view;
      shown = skeleton;
    };
    model.on("change:skeleton", draw);
    model.on("change:data", draw);
    await draw();
    return () => { if (view !== null) view.finalize(); };
  },
};
"""


class VegaChart(anywidget.AnyWidget):
    """A Vega-Lite spec drawn in the page by vega-embed (the bundle named ``bundle``).

    The spec travels as two JSON strings: ``skeleton`` (everything but the data, which changes
    only with the chart's shape) and ``data`` (the named data sets). A new ``data`` alone is
    swapped into the drawn view; a new ``skeleton`` redraws. Strings, not dicts: ipywidgets
    walks a dict's every value looking for binary buffers, which costs more than the JSON.
    ``on_missing`` is called when the page could not load the library.
    """

    _esm = VEGA_ESM
    skeleton = traitlets.Unicode("{}").tag(sync=True)
    data = traitlets.Unicode("{}").tag(sync=True)
    bundle = traitlets.Unicode("").tag(sync=True)

    def __init__(self, spec: dict, bundle: str, on_missing: Callable[[str], None] | None = None):
        super().__init__(bundle=bundle)
        self._json: dict[str, tuple[object, str]] = {}  # data set -> (its list, its JSON)
        self.spec = spec
        self._on_missing = on_missing
        self.on_msg(self._on_msg)

    @property
    def spec(self) -> dict:
        return {**json.loads(self.skeleton), "datasets": json.loads(self.data)}

    @spec.setter
    def spec(self, spec: dict) -> None:
        skeleton = json.dumps({k: v for k, v in spec.items() if k != "datasets"})
        parts = []
        for name, values in spec.get("datasets", {}).items():
            seen = self._json.get(name)
            if seen is None or seen[0] is not values:  # the same list as last time: the same JSON
                seen = self._json[name] = (values, json.dumps(values))
            parts.append(f"{json.dumps(name)}: {seen[1]}")
        data = "{" + ", ".join(parts) + "}"
        with self.hold_sync():
            self.skeleton, self.data = skeleton, data

    def _on_msg(self, _widget: object, content: dict, _buffers: object) -> None:
        if content.get("event") == "no-vega" and self._on_missing is not None:
            self._on_missing(str(content.get("error", "")))


class Download(anywidget.AnyWidget):
    """A download button: ``content()`` makes the file (bytes or text) when it is clicked."""

    _esm = DOWNLOAD_ESM
    description = traitlets.Unicode("Download").tag(sync=True)
    tooltip = traitlets.Unicode("").tag(sync=True)

    def __init__(self, description: str, filename: Callable[[], str], mime: str, content: Callable[[], bytes | str]):
        super().__init__(description=description, tooltip=f"Save as {mime}")
        self._filename, self._mime, self._content = filename, mime, content
        self.on_msg(self._on_msg)

    def payload(self) -> dict[str, str]:
        """The message the browser turns into a file: name, type and base64 data."""
        data = self._content()
        raw = data.encode("utf-8") if isinstance(data, str) else data
        return {"filename": self._filename(), "mime": self._mime, "data": base64.b64encode(raw).decode("ascii")}

    def _on_msg(self, _widget: object, content: dict, _buffers: object) -> None:
        if content.get("event") != "download":
            return
        try:
            self.send(self.payload())
        except Exception as exc:  # noqa: BLE001 - shown on the button, the kernel keeps serving
            self.send({"error": f"could not make the file: {exc}"})


class SessionWatch(anywidget.AnyWidget):
    """Shows ``message`` across the page when the kernel stops answering (see module docstring)."""

    _esm = SESSION_ESM
    message = traitlets.Unicode(
        "This planner's session has ended: its kernel stopped, or was closed after being idle. "
        "Reload the page to start a new one."
    ).tag(sync=True)
    interval_ms = traitlets.Int(5_000).tag(sync=True)  # ping this often while the user is active
    timeout_ms = traitlets.Int(10_000).tag(sync=True)  # no answer in this long: the session has ended
    active_ms = traitlets.Int(60_000).tag(sync=True)  # "active": an input event this recently

    def __init__(self, **kwargs: object):
        super().__init__(**kwargs)
        self.on_msg(lambda _w, content, _b: self.send({"pong": content.get("ping")}) if "ping" in content else None)

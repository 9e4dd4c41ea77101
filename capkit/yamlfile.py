"""Reading YAML safely: bounded size, nesting and alias expansion, one-line errors.

Every YAML file capkit reads (stacks, pricing, case studies) comes through :func:`read_yaml`.
PyYAML's safe loader refuses Python objects but not a small file that expands to a huge one:
nine nested anchors of nine aliases each ("billion laughs") build a graph of a few hundred
nodes that any code walking it (validation, an error message quoting it) sees as 9^9. The
composed node graph is therefore measured before it is turned into Python objects: its
expanded size (every alias counted as the whole node it repeats) and its depth are bounded,
and an alias that contains itself is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from capkit.errors import CapkitError

#: A stack or pricing file is a few KB; the largest bundled file is under 20 KB.
MAX_FILE_BYTES = 1_000_000
#: Nesting deeper than this is refused (a stack file nests about 6 levels).
MAX_DEPTH = 50
#: Nodes after alias expansion: the bundled files have under 2,000 nodes, aliases or not.
MAX_EXPANDED_NODES = 100_000


def read_yaml(path: Path, label: str, error: type[CapkitError]) -> Any:
    """The parsed content of the YAML file ``path``; any problem raises ``error`` on one line.

    ``label`` names the file in messages (a path relative to a served folder, for example, so
    a page never shows the server's absolute path). Nothing of the file's content is quoted.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise error(f"{label}: {size:,} bytes; a YAML file capkit reads is at most {MAX_FILE_BYTES:,} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"{label}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{label}: not UTF-8 text (byte {exc.start} is {data[exc.start]:#04x})") from None
    return parse_yaml(text, label, error)


class _TooDeep(yaml.YAMLError):
    """Raised by the loader below as soon as nesting passes MAX_DEPTH."""


class _DepthBoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, stopped at MAX_DEPTH levels while composing (its composer recurses
    once per level, so 500 nested brackets would otherwise exhaust the Python stack)."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def parse_yaml(text: str, label: str, error: type[CapkitError]) -> Any:
    """Parse ``text`` with PyYAML's safe loader within the bounds above."""
    loader = _DepthBoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node, label, error)
        return loader.construct_document(node)
    except _TooDeep:
        raise error(f"{label}: nested deeper than {MAX_DEPTH} levels") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise error(f"{label}: not valid YAML{where}: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise error(f"{label}: not valid YAML: {type(exc).__name__}") from None
    finally:
        loader.dispose()


def _check_graph(root: yaml.Node, label: str, error: type[CapkitError]) -> None:
    """Refuse a node graph deeper than MAX_DEPTH, larger than MAX_EXPANDED_NODES once its
    aliases are expanded, or with an alias inside the node it names (a cycle)."""
    sizes: dict[int, int] = {}  # id(node) -> expanded size, for nodes already measured
    on_path: set[int] = set()
    repeated = [False]  # a node met twice: an alias

    def children(node: yaml.Node) -> list[yaml.Node]:
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        if isinstance(node, yaml.MappingNode):
            return [n for pair in node.value for n in pair]
        return []

    def size(node: yaml.Node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise error(f"{label}: nested deeper than {MAX_DEPTH} levels")
        key = id(node)
        if key in on_path:
            raise error(f"{label}: an alias refers to a node that contains it (a recursive structure)")
        if key in sizes:
            repeated[0] = True
            return sizes[key]
        on_path.add(key)
        total = 1 + sum(size(child, depth + 1) for child in children(node))
        on_path.discard(key)
        if total > MAX_EXPANDED_NODES and repeated[0]:
            raise error(
                f"{label}: expands to more than {MAX_EXPANDED_NODES:,} values once its aliases are repeated; "
                "write the values out or use fewer aliases"
            )
        if total > MAX_EXPANDED_NODES:
            raise error(
                f"{label}: holds more than {MAX_EXPANDED_NODES:,} values, the most a file capkit reads may hold"
            )
        sizes[key] = total
        return total

    size(root, 1)

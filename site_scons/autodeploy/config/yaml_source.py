"""Load a YAML file into a small node tree in which every value knows its line.

PyYAML's `compose` (the C-accelerated one when libyaml is present) gives nodes with marks; we build
our own tree from them instead of letting PyYAML construct plain dicts, so that

- every error can name the file, the key path and the line of the offending value, and
- duplicate mapping keys are an error (PyYAML silently keeps the last one).

Scalars are converted with PyYAML's SafeConstructor rules (YAML 1.1: ints incl. 0x.., floats,
null/~, true/false/yes/no, strings). Anchors and aliases work; merge keys (`<<: *anchor`) work
with the usual "explicit keys win" rule. Custom tags (`!foo`) are rejected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from ..errors import ConfigError

try:  # libyaml makes composing ~10x faster; fall back to the pure Python loader
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

_CONSTRUCTOR = SafeConstructor()
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"


class Source:
    """One YAML file: its path and the name used for it in messages (relative to the project)."""

    __slots__ = ("path", "display")

    def __init__(self, path: Path, display: str) -> None:
        self.path = path
        self.display = display

    def error(self, line: int | None, key_path: str, message: str) -> ConfigError:
        """A ConfigError formatted as `file:line: key.path: message`."""
        where = f"{self.display}:{line}" if line else self.display
        if key_path:
            return ConfigError(f"{where}: {key_path}: {message}")
        return ConfigError(f"{where}: {message}")


class Node:
    """A value from a YAML file with its 1-based line and column."""

    __slots__ = ("value", "line", "column")
    kind = "value"

    def __init__(self, value: Any, line: int, column: int) -> None:
        self.value = value
        self.line = line
        self.column = column

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r}, line={self.line})"


class ScalarNode(Node):
    """A scalar: `value` is None, bool, int, float or str (other YAML types pass through)."""

    __slots__ = ()
    kind = "scalar"


class SeqNode(Node):
    """A sequence: `value` is a list of Node."""

    __slots__ = ()
    kind = "list"


class MapNode(Node):
    """A mapping: `value` is a dict from key text to Node; `key_lines` gives each key's line."""

    __slots__ = ("key_lines",)
    kind = "mapping"

    def __init__(self, value: dict[str, Node], line: int, column: int) -> None:
        super().__init__(value, line, column)
        self.key_lines: dict[str, int] = {}


def load_yaml(path: Path, display: str) -> tuple[Source, Node]:
    """Read and compose one YAML document. Raises ConfigError for every failure."""
    source = Source(path, display)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise source.error(None, "", "file not found") from None
    except IsADirectoryError:
        raise source.error(None, "", "is a directory, expected a YAML file") from None
    except OSError as exc:
        raise source.error(None, "", f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise source.error(line, "", "file is not valid UTF-8 text") from None
    return source, parse_yaml(text, source)


def parse_yaml(text: str, source: Source) -> Node:
    """Compose `text` (one YAML document) into a Node tree."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{exc.context}, {what}"
        raise source.error(line, "", f"YAML syntax error: {what}") from None
    except yaml.YAMLError as exc:
        raise source.error(None, "", f"YAML syntax error: {exc}") from None
    if root is None or (isinstance(root, yaml.ScalarNode) and root.value == "" and not root.style):
        raise source.error(None, "", "file is empty (no YAML document)")
    return _build(root, source, "", set())


def _line(node: yaml.Node) -> tuple[int, int]:
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _build(node: yaml.Node, source: Source, path: str, active: set[int]) -> Node:
    line, column = _line(node)
    if id(node) in active:
        raise source.error(line, path, "recursive alias (an anchor used inside itself)")
    if isinstance(node, yaml.ScalarNode):
        return ScalarNode(_scalar(node, source, path), line, column)
    if isinstance(node, yaml.SequenceNode):
        active.add(id(node))
        items = [_build(item, source, f"{path}[{i}]", active) for i, item in enumerate(node.value)]
        active.discard(id(node))
        return SeqNode(items, line, column)
    if isinstance(node, yaml.MappingNode):
        active.add(id(node))
        built = _build_map(node, source, path, active)
        active.discard(id(node))
        return built
    raise source.error(
        line, path, f"unsupported YAML node {type(node).__name__}"
    )  # pragma: no cover


def _build_map(node: yaml.MappingNode, source: Source, path: str, active: set[int]) -> MapNode:
    line, column = _line(node)
    result = MapNode({}, line, column)
    merged: list[MapNode] = []
    for key_node, value_node in node.value:
        key_line, _ = _line(key_node)
        if key_node.tag == _MERGE_TAG:
            merged.extend(_merge_sources(value_node, source, path, active))
            continue
        if not isinstance(key_node, yaml.ScalarNode):
            raise source.error(key_line, path or "<top level>", "mapping keys must be plain text")
        key = key_node.value
        if key in result.value:
            first = result.key_lines[key]
            raise source.error(
                key_line,
                _join(path, key),
                f"duplicate key '{key}' (first defined at line {first}); "
                "remove or rename one of them",
            )
        result.key_lines[key] = key_line
        result.value[key] = _build(value_node, source, _join(path, key), active)
    for other in merged:  # explicit keys win over merged ones; earlier merges win over later
        for key, value in other.value.items():
            if key not in result.value:
                result.value[key] = value
                result.key_lines[key] = other.key_lines[key]
    return result


def _merge_sources(node: yaml.Node, source: Source, path: str, active: set[int]) -> list[MapNode]:
    nodes = node.value if isinstance(node, yaml.SequenceNode) else [node]
    out: list[MapNode] = []
    for item in nodes:
        built = _build(item, source, path, active)
        if not isinstance(built, MapNode):
            raise source.error(built.line, path, "'<<' (merge key) needs a mapping or list of them")
        out.append(built)
    return out


def _scalar(node: yaml.ScalarNode, source: Source, path: str) -> Any:
    if node.tag == _STR_TAG:
        return node.value
    constructor = _CONSTRUCTOR.yaml_constructors.get(node.tag)
    if constructor is None:
        line, _ = _line(node)
        raise source.error(line, path, f"unsupported YAML tag {node.tag!r}; write a plain value")
    try:
        return constructor(_CONSTRUCTOR, node)
    except (ConstructorError, ValueError, TypeError) as exc:
        line, _ = _line(node)
        raise source.error(line, path, f"cannot read value {node.value!r}: {exc}") from None


def to_plain(node: Node) -> Any:
    """The node tree as plain Python values (dicts, lists, scalars), without line information."""
    if isinstance(node, MapNode):
        return {k: to_plain(v) for k, v in node.value.items()}
    if isinstance(node, SeqNode):
        return [to_plain(v) for v in node.value]
    return node.value

"""Safe YAML reading for repository files (CI configs, dvc.yaml, environment.yml, ...).

``yaml.safe_load`` only (never the full loader), with a size limit, every YAML error swallowed into
``None``, and a bounded walk for callers that collect strings from documents that may use anchors.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MAX_YAML_BYTES = 1_000_000
MAX_WALK_NODES = 50_000
#: Nodes a document may hold once its aliases are expanded. A few hundred bytes of anchors and aliases
#: ("billion laughs") load as a small shared graph, but anything that walks or prints the document
#: (``str()``, ``json.dumps``, a recursive walk) expands it: 10**9 nodes, minutes and gigabytes.
MAX_EXPANDED_NODES = 1_000_000

_LOADER: list[Any] = []


#: Tags of the full loader that the safe one may read as plain data: conda writes ``channels: !!python/tuple``
#: in environment files exported on Windows (a tuple of strings is read as a list; no object is built).
PLAIN_SEQUENCE_TAGS = ("tag:yaml.org,2002:python/tuple",)


def _yaml() -> tuple[Any, Any]:
    """PyYAML and its safe loader, imported on first use (most runs parse no YAML at all)."""
    import yaml

    if not _LOADER:  # the C loader is much faster when libyaml is available; both are "safe" loaders
        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        loader: Any = type("MllintSafeLoader", (base,), {})
        for tag in PLAIN_SEQUENCE_TAGS:
            loader.add_constructor(tag, _plain_sequence)
        _LOADER.append(loader)
    return yaml, _LOADER[0]


def _plain_sequence(loader: Any, node: Any) -> list[Any]:
    return list(loader.construct_sequence(node))


def load_yaml(text: str | None, limit: int = MAX_YAML_BYTES) -> Any:
    """The first YAML document of ``text``, or None when missing, too large or invalid."""
    if text is None or len(text) > limit:
        return None
    yaml, _Loader = _yaml()
    try:
        data = yaml.load(text, Loader=_Loader)  # _Loader is CSafeLoader/SafeLoader: no object construction
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, MemoryError):
        return None
    return data if _expanded_size(data) <= MAX_EXPANDED_NODES else None


def load_yaml_all(text: str | None, limit: int = MAX_YAML_BYTES) -> list[Any]:
    """All YAML documents of ``text`` (Kubernetes manifests hold several); [] when invalid."""
    if text is None or len(text) > limit:
        return []
    yaml, _Loader = _yaml()
    try:
        docs = [doc for doc in yaml.load_all(text, Loader=_Loader) if doc is not None]
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, MemoryError):
        return []
    return docs if _expanded_size(docs) <= MAX_EXPANDED_NODES else []


def _expanded_size(data: Any) -> int:
    """How many nodes ``data`` has with every alias expanded, computed on the shared graph (each distinct
    list or dict once, children first); stops counting past :data:`MAX_EXPANDED_NODES`."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # on the current path: a node inside itself is a recursive document
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, children_done = stack.pop()
        if not isinstance(node, (list, dict)) or (id(node) in sizes and not children_done):
            continue
        children = list(node.values()) if isinstance(node, dict) else node
        if not children_done:
            if id(node) in open_nodes:
                return MAX_EXPANDED_NODES + 1  # `&a [*a]`: infinite once expanded
            open_nodes.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in children if isinstance(child, (list, dict)) and id(child) not in sizes)
            continue
        open_nodes.discard(id(node))
        total = 1 + len(children) + sum(sizes.get(id(child), 0) for child in children if isinstance(child, (list, dict)))
        sizes[id(node)] = min(total, MAX_EXPANDED_NODES + 1)
    if isinstance(data, (list, dict)):
        return sizes.get(id(data), 0)
    return 1


def walk_strings(data: Any, budget: int = MAX_WALK_NODES) -> Iterator[str]:
    """Every string (keys and values) in a parsed YAML document, visiting at most ``budget`` nodes."""
    stack = [data]
    seen = 0
    while stack and seen < budget:
        node = stack.pop()
        seen += 1
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str):
                    yield key
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(reversed(node))


def key_lines(text: str | None, limit: int = MAX_YAML_BYTES, budget: int = MAX_WALK_NODES) -> dict[tuple[str, ...], int]:
    """1-based line of every mapping key of the first YAML document, by key path (``("train", "lr")``).

    Composed with the safe loader (no object is constructed); list items are entered with their index
    as a string (``("stages", "0")``). Empty when missing, too large or invalid.
    """
    if text is None or len(text) > limit:
        return {}
    yaml, Loader = _yaml()
    try:
        root = yaml.compose(text, Loader=Loader)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, MemoryError):
        return {}
    out: dict[tuple[str, ...], int] = {}
    stack: list[tuple[Any, tuple[str, ...]]] = [(root, ())] if root is not None else []
    seen = 0
    while stack and seen < budget:
        node, path = stack.pop()
        seen += 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    child = (*path, str(key.value))
                    out.setdefault(child, key.start_mark.line + 1)
                    stack.append((value, child))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                child = (*path, str(index))
                out.setdefault(child, item.start_mark.line + 1)
                stack.append((item, child))
    return out

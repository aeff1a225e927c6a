"""A fast CloudFormation YAML loader: short-form intrinsics and line marks on PyYAML's SafeLoader (libyaml).

cfn-lint's decoder does the same but importing cfn-lint costs about a second (it loads every lint rule and
resource schema); wasp reads YAML templates with this loader and keeps cfn-lint's decoder for JSON.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import yaml

from wasp.fastyaml import SafeLoader


class MarkedStr(str):
    start_mark: Any = None


class MarkedDict(dict):  # type: ignore[type-arg]
    start_mark: Any = None


class _Loader(SafeLoader):  # type: ignore[misc,valid-type]
    pass


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> MarkedDict:
    loader.flatten_mapping(node)
    out = MarkedDict()
    out.start_mark = node.start_mark
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, str):
            key = MarkedStr(key)
            key.start_mark = key_node.start_mark
        elif not isinstance(key, Hashable):  # `? [a, b]` or `? {a: 1}`: PyYAML's own loader refuses it too
            raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                                    "found unhashable key", key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
    return out


def _value(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return _mapping(loader, node)  # type: ignore[arg-type]


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    value = _value(loader, node)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_multi_constructor("!", _intrinsic)


def load_yaml(text: str) -> Any:
    """The template as plain data; raises yaml.MarkedYAMLError (with problem_mark) when malformed."""
    return yaml.load(text, Loader=_Loader)

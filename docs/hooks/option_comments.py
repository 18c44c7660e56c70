"""A Griffe extension for the API reference: an attribute's ``#:`` comment is its docstring.

The configs document each option once, as a ``#:`` comment on its field (the form Sphinx
reads); Griffe reads only string docstrings, so this extension lends it the comment.
"""
from __future__ import annotations

import re

from griffe import Docstring, Extension

_COMMENT = re.compile(r"#:\s?(.*)$")


class OptionComments(Extension):
    def on_attribute_instance(self, *, node, attr, agent, **kwargs) -> None:
        if attr.docstring is not None or attr.lineno is None:
            return
        lines = attr.module.lines   # the whole file: attr.lineno counts from its first line
        if not 0 < attr.lineno <= len(lines):
            return
        found = []
        line = lines[attr.lineno - 1]
        trailing = _COMMENT.search(line)
        if trailing:
            found.append(trailing.group(1).strip())
        else:   # comment lines directly above the field
            index = attr.lineno - 2
            while index >= 0 and lines[index].strip().startswith("#:"):
                found.insert(0, _COMMENT.search(lines[index]).group(1).strip())
                index -= 1
        if found:
            attr.docstring = Docstring(" ".join(found), parent=attr)

"""A Griffe extension for the API reference: an attribute's ``#:`` comment is its docstring.

The configs document each option once, as a ``#:`` comment on its field (the form Sphinx
reads); Griffe reads only string docstrings, so this extension lends it the comment.
"""
from __future__ import annotations

from griffe import Docstring, Extension

from nasearch.config import comment_at   # the one reading of option comments, shared with --help


class OptionComments(Extension):
    def on_attribute_instance(self, *, node, attr, agent, **kwargs) -> None:
        if attr.docstring is not None or attr.lineno is None:
            return
        lines = attr.module.lines   # the whole file: attr.lineno counts from its first line
        if not 0 < attr.lineno <= len(lines):
            return
        text = comment_at(lines, attr.lineno)
        if text:
            attr.docstring = Docstring(text, parent=attr)

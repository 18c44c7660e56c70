"""Placeholder hook for commands added by later modules (evaluate, search, compare)."""


def register(add) -> None:
    return None

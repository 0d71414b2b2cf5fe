"""Placeholder."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []


def recipe_message(name: str) -> dict[str, object]:
    raise NotImplementedError(name)

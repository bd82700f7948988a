"""The project's URL patterns, flattened, for tests that must cover every endpoint.

A test that walks "every endpoint" takes its list from here rather than from a list
written by hand, so an endpoint added later without a test makes that test fail.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    pattern: str  # the full route, e.g. "api/v1/contests/<int:contest_id>"
    name: str  # "contest-detail", "admin:index"; "<unnamed …>" when the pattern has no name
    callback: Any
    params: tuple[str, ...]  # the names of the URL parameters, e.g. ("contest_id", "action")

    @property
    def view_class(self) -> type | None:
        return getattr(self.callback, "view_class", None)

    @property
    def methods(self) -> tuple[str, ...]:
        """The HTTP methods the view answers (upper case); GET for a plain function view."""
        view_class = self.view_class
        if view_class is None:
            return ("GET",)
        return tuple(m.upper() for m in HTTP_METHODS if hasattr(view_class, m))

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/v1/")


def routes() -> list[Route]:
    """Every URL pattern reachable from the root URL conf, in resolution order."""
    return list(_walk(get_resolver().url_patterns, prefix="", namespaces=()))


def _walk(
    patterns: Sequence[Any], *, prefix: str, namespaces: tuple[str, ...], params: tuple[str, ...] = ()
) -> Iterator[Route]:
    for entry in patterns:
        inner_params = (*params, *_params(entry))
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(
                entry.url_patterns, prefix=prefix + str(entry.pattern), namespaces=inner, params=inner_params
            )
        elif isinstance(entry, URLPattern):
            full = prefix + str(entry.pattern)
            name = ":".join((*namespaces, entry.name)) if entry.name else f"<unnamed {full}>"
            yield Route(pattern=full, name=name, callback=entry.callback, params=inner_params)


def _params(entry: URLPattern | URLResolver) -> tuple[str, ...]:
    regex = entry.pattern.regex
    return tuple(regex.groupindex)


def api_routes() -> list[Route]:
    return [r for r in routes() if r.is_api]

"""The one error type of the Open311 endpoints: an HTTP status and the spec's list of
(code, description) pairs, rendered as `<errors>` or `[{"code", "description"}]`."""

from __future__ import annotations


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str, code: int | None = None):
        super().__init__(descriptions[0] if descriptions else str(status))
        self.status = status
        self.errors: list[tuple[int, str]] = [(code or status, d) for d in descriptions]

    @classmethod
    def many(cls, status: int, descriptions: list[str]) -> Open311Error:
        return cls(status, *descriptions)

"""The one error type library code raises; only cli.py turns it into an exit code."""

from __future__ import annotations

_VISIBLE = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]}
_VISIBLE.update({ord("\n"): " ", ord("\t"): " ", ord("\r"): "\\r"})


class HandoutsError(Exception):
    """Bad input a user can fix: says where (file, line, field), what is wrong, and a hint.

    Rendered as ``FILE:LINE: field: what is wrong (hint)`` so that editors and terminals can
    jump straight to the line.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        self.hint = hint

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        text = ": ".join(parts)
        if self.hint:
            text += f" ({self.hint})"
        # One line, always: control characters in a user's value are shown, not obeyed.
        return text.translate(_VISIBLE)

    def at(self, file: str | None, line: int | None) -> HandoutsError:
        """The same error, placed in a file (keeps a place it already has)."""
        if self.file is None:
            self.file, self.line = file, line
        return self

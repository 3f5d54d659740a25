"""User-facing errors: one line naming the problem and the setting to change."""


class NummusError(Exception):
    """An error the command line prints as one line (no traceback unless --debug)."""

    def __init__(self, message: str, *, setting: str | None = None):
        self.setting = setting
        super().__init__(message)

    def __str__(self) -> str:
        msg = super().__str__()
        return f"{msg} (setting: {self.setting})" if self.setting else msg


class StoreUnavailable(NummusError):
    """A store (DuckDB, PostgreSQL, object store) cannot be opened or does not answer."""


class FrozenWriteRefused(NummusError):
    """A command tried to write to a frozen (immutable) table or snapshot."""

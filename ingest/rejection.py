"""Bad input with a machine-readable reason: what the quarantine's `reason` column records."""


class Rejected(ValueError):
    def __init__(self, reason: str, detail: str):
        self.reason = reason
        super().__init__(detail)

"""Load profiles for the nightly load job, written like "50rps/30s" or "200rps/2m"."""

import re
from dataclasses import dataclass

_PROFILE = re.compile(r"^(?P<rate>\d+)rps/(?P<amount>\d+)(?P<unit>[sm])$")


@dataclass(frozen=True)
class LoadProfile:
    rate: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "LoadProfile":
        match = _PROFILE.match(text.strip())
        if match is None:
            raise ValueError(f"bad load profile: {text!r}")
        seconds = int(match["amount"]) * (60 if match["unit"] == "m" else 1)
        return cls(rate=int(match["rate"]), seconds=seconds)

    @property
    def total_requests(self) -> int:
        return self.rate * self.seconds

"""What became of every news file in one build: the reader fills it, the report reads it."""

from __future__ import annotations

from dataclasses import dataclass, field

from topicfeed.model import Problem


@dataclass
class Ledger:
    """Each file's fate (``published``, ``unpublished``, ``rejected``) and every problem found."""

    fates: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: News files parsed this build, and news files whose record came from the item store.
    parsed: int = 0
    reused: int = 0
    #: The item store records this build used (the reader prunes the others after reading).
    records: set[str] = field(default_factory=set)

    @property
    def rejected(self) -> list[str]:
        return sorted(path for path, fate in self.fates.items() if fate == "rejected")

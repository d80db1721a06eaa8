"""What became of every news file in one build: the reader fills it, the report reads it."""

from __future__ import annotations

from dataclasses import dataclass, field

from topicfeed.model import Problem


@dataclass
class Ledger:
    """Each file's fate (``published``, ``unpublished``, ``rejected``) and every problem found."""

    fates: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def rejected(self) -> list[str]:
        return sorted(path for path, fate in self.fates.items() if fate == "rejected")

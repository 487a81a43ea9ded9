"""What a request narrows the corpus to, and what a caller may see.

``Filters`` is what a user asks for (documents, province, years); ``Where`` adds the documents
the caller may see at all. Retrieval backends push a ``Where`` down into their search, so an
external engine returns a filtered top-k and a restricted document never reaches a caller
outside its groups.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Filters:
    """The request's narrowing: only these documents, this province, these years (None: no limit)."""

    documents: frozenset[str] | None = None
    province: str | None = None
    years: frozenset[int] | None = None

    @classmethod
    def of(
        cls,
        documents: Iterable[str] | None = None,
        province: str | None = None,
        years: Iterable[int] | int | None = None,
    ) -> "Filters":
        if isinstance(years, int):
            years = [years]
        return cls(
            frozenset(documents) if documents else None,
            province.strip() if province and province.strip() else None,
            frozenset(years) if years else None,
        )

    def __bool__(self) -> bool:
        return bool(self.documents or self.province or self.years)


NO_FILTERS = Filters()


@dataclass(frozen=True)
class Where:
    """A search's whole condition: the caller's visible documents (None: all) and the filters."""

    visible: frozenset[str] | None = None
    filters: Filters = NO_FILTERS

    def allows_document(self, document: str) -> bool:
        if self.visible is not None and document not in self.visible:
            return False
        return self.filters.documents is None or document in self.filters.documents

    @property
    def unrestricted(self) -> bool:
        return self.visible is None and not self.filters


EVERYTHING = Where()

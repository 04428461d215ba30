"""Exceptions of the knowledge package.

    KnowledgeError
    ├── CatalogueError       the catalogue files are invalid
    ├── IndexError_          base of index problems
    │   ├── IndexMissingError    no index folder / files
    │   └── IndexMismatchError   index built from another catalogue or model
    ├── ModelLoadError       the embedding model cannot be loaded
    └── QueryError           a search query is unusable (empty, too long)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.catalogue import Problem


class KnowledgeError(Exception):
    """Raised for any problem of the knowledge package."""


class CatalogueError(KnowledgeError):
    """Raised when the catalogue files are invalid; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"the catalogue has {len(self.problems)} problem(s):\n{lines}")


class IndexError_(KnowledgeError):  # noqa: N801, N818 - trailing underscore avoids shadowing the builtin
    """Raised when the search index cannot be used."""


class IndexMissingError(IndexError_):
    """Raised when the index folder or one of its files does not exist."""


class IndexMismatchError(IndexError_):
    """Raised when the index was built from another catalogue or model than the one in use."""


class ModelLoadError(KnowledgeError):
    """Raised when the embedding model cannot be loaded or built."""


class QueryError(KnowledgeError, ValueError):
    """Raised when a search query is empty, too long or otherwise unusable."""

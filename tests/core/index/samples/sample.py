# ruff: noqa: F821
"""Shapes."""

from .base import Base


class Circle(Base):
    """A circle."""

    def area(self) -> float:
        return compute(self.r)


def make_circle() -> Circle:
    return Circle()

"""The one error of the spec layer."""

from ..errors import CannotRun


class SpecError(CannotRun):
    """An OpenAPI document cannot be read, is not OpenAPI 3, or cannot be written; one line says which."""

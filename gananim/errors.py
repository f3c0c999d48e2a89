"""The one exception type for mistakes a user can make (bad scene, bad option, bad file)."""


class GananimError(Exception):
    """A user-facing error: the CLI prints its message on one line and exits with status 2."""

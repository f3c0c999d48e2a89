"""The one exception type for mistakes a user can make (bad scene, bad option, bad file)."""


import difflib


class GananimError(Exception):
    """A user-facing error: the CLI prints its message on one line and exits with status 2."""


def did_you_mean(word: str, choices) -> str:
    """ "did you mean 'steps'? " when a choice is close to a mistyped word, else nothing."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""

"""The one exception users see: its message is a complete, one-line explanation."""


class CableQAError(Exception):
    """Bad input or a broken index. The CLI and TUI print `str(error)` and nothing else."""

"""User-facing errors: each becomes one clear line on stderr and exit code 2, never a traceback."""


class InputError(Exception):
    """Bad input from the user: a file, a flag, an account that cannot be reached."""

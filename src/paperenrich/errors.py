"""Errors a user can act on, each with the documented exit code it ends the process with.

Exit codes (documented in the README):
    0  success
    1  runtime error (unexpected failure)
    2  findings: `check` found broken links, `lint` a finding of a `--fail-on` kind
    3  usage or configuration error (bad flag, bad config file, bad overrides file)
    4  input error: the list file is missing, a directory, binary or not UTF-8
    5  network unavailable: no service could be reached (use --offline to work from the cache)
  130  interrupted (Ctrl-C); everything finished so far is already in the cache
"""

EXIT_OK = 0
EXIT_RUNTIME = 1
EXIT_FINDINGS = 2
EXIT_USAGE = 3
EXIT_INPUT = 4
EXIT_NETWORK = 5
EXIT_INTERRUPTED = 130


class PaperenrichError(Exception):
    """An error with a one-line message for the user and an exit code."""

    exit_code = EXIT_RUNTIME


class UsageError(PaperenrichError):
    exit_code = EXIT_USAGE


class ConfigError(PaperenrichError):
    exit_code = EXIT_USAGE


class InputError(PaperenrichError):
    exit_code = EXIT_INPUT


class NetworkUnavailable(PaperenrichError):
    exit_code = EXIT_NETWORK

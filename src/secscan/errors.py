"""One typed error per seam, so callers can tell bad input from a broken scanner."""


class SecscanError(Exception):
    """Base class for every error secscan raises on purpose."""


class ConfigError(SecscanError):
    """The user's configuration, arguments or input files are unusable (exit code 2)."""


class ScannerError(SecscanError):
    """A scanner could not run or its output could not be used (a layer error)."""


class ParseError(ScannerError):
    """A scanner's output is not the JSON we expect."""


class SynthesisError(SecscanError):
    """The AI synthesis could not produce a usable answer."""


class OutputError(SecscanError):
    """An output could not be written or delivered."""


class AnalysisTimeout(SecscanError):
    """The analysis (de-duplication, policy, outputs) ran past its time budget: fail closed."""

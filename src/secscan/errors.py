"""Every error secscan raises on purpose: one typed error per seam, so callers can tell bad input from a
broken scanner. The command line maps them to exit codes (ConfigError: 2; the others that reach it: 1)."""


class SecscanError(Exception):
    """Base class for every error secscan raises on purpose."""


class ConfigError(SecscanError):
    """The user's configuration, arguments or input files are unusable (exit code 2)."""


class UsageError(ConfigError):
    """Command-line arguments that cannot be used (together, or at all) (exit code 2)."""


class ScannerError(SecscanError):
    """A scanner could not run or its output could not be used (a layer error)."""


class ParseError(ScannerError):
    """A scanner's output is not the JSON we expect."""


class SynthesisError(SecscanError):
    """The AI synthesis could not use the model: the deterministic synthesis runs instead, with this reason."""


class UnusableAnswer(SynthesisError):
    """The endpoint answered, but not with something secscan can use."""


class PromptTooLarge(SynthesisError):
    """Even the shortest form of the data does not fit the prompt budget."""


class OutputError(SecscanError):
    """An output could not be written or delivered."""


class DeliveryFailed(OutputError):
    """A request to Slack that did not go through, with a one-line description."""


class AnalysisTimeout(SecscanError):
    """The analysis (de-duplication, policy, outputs) ran past its time budget: fail closed."""


class ScanFailed(SecscanError):
    """Dagger: the scan could not be run as asked (bad config, bad arguments, or a scanner could not run)."""


class GateFailed(SecscanError):
    """Dagger: the policy gate failed; the message is the summary, so `dagger call` shows why."""

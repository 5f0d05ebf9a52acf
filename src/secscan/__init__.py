"""secscan: secrets, code, dependency and image scanning behind one policy gate."""

__version__ = "0.1.0"

"""The Dagger module's package: the engine installs it with secscan (from the repository root) and
loads its main object, `Secscan`, whose code lives in `secscan.main`."""

from secscan.main import ScanResult, Secscan

__all__ = ["ScanResult", "Secscan"]

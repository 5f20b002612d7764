"""Gatepost's domain: no Qt. The version is here (not read from package metadata) so a
PyInstaller bundle, which has no installed distribution, knows it too."""

__version__ = "0.1.0"

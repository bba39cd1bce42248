"""azlocal: an offline, az-compatible emulator of Azure's container services."""

__version__ = "0.1.0"

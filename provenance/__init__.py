"""paperprov: reproducible paper builds that record, sign and disclose AI contributions."""

__version__ = "0.2.0"

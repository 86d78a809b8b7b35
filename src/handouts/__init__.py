"""handouts: printable, per-patient home exercise programs for physical therapy clinics."""

__version__ = "0.1.0"

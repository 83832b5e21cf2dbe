"""Kechuang (科创): an open platform for a region's sci-tech innovation finance service."""

__version__ = "0.1.0"

"""Qualification engine: evaluates enterprises against China's official sci-tech enterprise standards.

A library that never imports Django. Standards are versioned rule data (``rules/*.toml``); the same
rule data drives a one-enterprise Python path (:func:`evaluate_record`) and a vectorised Polars batch
path (:func:`evaluate_batch`).
"""

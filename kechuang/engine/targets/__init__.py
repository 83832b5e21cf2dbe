"""The targets engine: progress to target, growth rates, forecasts with a band, status, and the
composite index. Plain Python and NumPy; never imports Django or the apps (see docs/targets.md)."""

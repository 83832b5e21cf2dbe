"""The Django-free engine: facts, qualification evaluation and credit scoring.

Nothing under this package imports Django or reads settings (an import-linter contract checks it),
so the same code runs in a web request, a batch command and a Spark job.
"""

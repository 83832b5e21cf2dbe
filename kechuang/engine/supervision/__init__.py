"""Supervision of local financial organisations (issue 14 point 4). Django-free."""

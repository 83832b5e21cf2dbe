"""Content-Security-Policy on every response (pages, API, error pages, static files).

Each request gets a fresh nonce (``request.csp_nonce``); inline ``<script>`` tags carry it and no
template uses ``on*=`` handlers (``static/kechuang/kechuang.js`` wires print buttons and
auto-submitting selects instead). Styles stay ``'unsafe-inline'``: ECharts, Swagger UI and
htmx's indicator set inline styles, and style attributes are common in templates; a style
cannot run code.
"""

from __future__ import annotations

import secrets

from django.utils.functional import SimpleLazyObject

POLICY = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
          "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = SimpleLazyObject(lambda: nonce)
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", POLICY.format(nonce=nonce))
        return response

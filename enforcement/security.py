"""Response headers every page, download and error carries."""
from flask import Flask, request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])


def register(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # case files are not to be kept by browsers or proxies
        if not request.path.startswith("/static/"):
            headers.setdefault("Cache-Control", "no-store")
        return response

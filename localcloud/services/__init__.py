"""Control-plane strictness moto lacks, one module per AWS service.

Each ``handle(call, environ, forward)`` answers a request itself, or checks it and passes it on
with ``forward`` (moto's WSGI app), or returns None to leave it to moto untouched.
"""

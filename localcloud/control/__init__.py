"""The control-plane rules moto lacks, one module per AWS service; each ``handle(call, environ,
forward)`` answers a call itself, or checks it and passes it to moto (``forward``), or returns
None to leave it to moto. Reaches moto only through ``localcloud.moto``; never imports the server.
"""

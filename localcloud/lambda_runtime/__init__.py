"""The Lambda runtime: python3.x handlers run in warm worker processes with their role's
credentials. Reaches the cloud's state only through the moto door; never imports the server,
the data plane or the control-plane rules (``worker.py`` imports nothing from localcloud)."""

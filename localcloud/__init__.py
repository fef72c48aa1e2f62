"""localcloud: a local AWS cloud on moto that fails where AWS fails; its own package, which
knows nothing of the tutorial: it never imports helpers, tools or tests.

moto serves the control planes; localcloud adds what moto lacks: an API Gateway data plane
(stage URLs ``{endpoint}/restapis/{api_id}/{stage}/_user_request_/{path}``), a Lambda runtime
that really runs python3.x handlers, and AWS's strictness where moto is lenient.
Start it with ``python -m localcloud up`` (or ``make up``).
"""

__version__ = "0.1.0"

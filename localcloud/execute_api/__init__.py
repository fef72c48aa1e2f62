"""API Gateway's REST data plane (execute-api): a chain of stages in AWS's order, payload limit
-> route -> authorizer -> API key -> request validation -> integration -> response, one module
each; every refusal is an :mod:`.errors` type, turned into bytes in :mod:`.response` only.

The stages see the cloud only through :class:`.model.Backends`; only :mod:`.backends` and
:mod:`.deployments` reach the moto door. Nothing here imports the server or the control plane.
"""

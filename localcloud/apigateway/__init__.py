"""API Gateway REST data plane: a chain of stages in AWS's order.

route -> authorizer -> API key -> request validation -> integration -> response.
Each stage is a module with one job; every refusal is a :mod:`errors` type, serialized in
:mod:`response` only.
"""

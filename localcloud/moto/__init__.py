"""The one door to moto: every ``import moto`` of the local cloud is in this package, one module
per service. It must not import the rest of ``localcloud`` but for plain data types and ``arns``.

The contract: each function names the AWS concept it reads or writes, returns public-API shaped
dicts or the local cloud's own dataclasses, answers None when the thing is missing, and catches
only moto's own exceptions. When moto changes, this package is the only one to mend.
"""

"""The one door to moto: every ``import moto`` of the local cloud is in this package, one module
per service. It must not import the rest of ``localcloud`` but for plain data types and ``arns``.

The contract: each function names the AWS concept it reads or writes, returns public-API shaped
dicts or the local cloud's own dataclasses, answers None when the thing is missing, and catches
only moto's own exceptions. When moto changes, this package is the only one to mend.
"""

import sys

# jsonschema (which moto's API Gateway imports) loads this optional IRI-syntax checker when it is
# installed (jupyterlab brings it), and compiling its grammar costs a second of start-up. Body
# models never use its formats; this must run before the first import of moto.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

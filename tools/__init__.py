"""What builds and checks the kit: series runner, ``make record``, leak scanner, ``make bench``.
tools may import helpers, localcloud and tests.support; helpers and localcloud never import tools.
"""

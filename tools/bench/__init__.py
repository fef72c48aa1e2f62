"""``make bench``: the local cloud (``localcloud_bench``), then the notebook series and IAM
enforcement (``series_bench``), each on local clouds of its own; run as ``python -m tools.bench.*``.
Like the rest of tools, nothing in helpers or localcloud may import it.
"""

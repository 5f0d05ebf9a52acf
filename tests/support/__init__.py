"""Test-support builders for secscan.

* :mod:`trivy_db` writes a tiny, offline trivy vulnerability DB (bbolt file +
  metadata.json) that the real ``trivy`` binary accepts with
  ``--skip-db-update``.
* :mod:`images` builds OCI image layouts and ``docker save`` tarballs from
  in-memory layers, for ``trivy image --input``.
"""

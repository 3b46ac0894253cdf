"""numpy for the exporters, imported on first use and without BLAS threads.

An export that may fork worker processes must have one thread when it does (see
:mod:`workers`), and numpy's import starts OpenBLAS's thread pool unless told otherwise;
exporters use numpy for searches and packing, never for linear algebra, so one thread is
all they need. Importing numpy also costs about 0.1 s, which only an export that uses it
should pay.
"""

from __future__ import annotations

import os
from typing import Any

_np: Any = None
_THREAD_SETTINGS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def numpy() -> Any:
    """The numpy module, imported (single-threaded, unless the environment says otherwise) on first use."""
    global _np
    if _np is None:
        for name in _THREAD_SETTINGS:
            os.environ.setdefault(name, "1")
        import numpy as np

        _np = np
    return _np

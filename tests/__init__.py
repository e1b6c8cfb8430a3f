"""The test suite. Imported before any test module or conftest, so before numpy: see below.

OpenBLAS (numpy's and scipy's) starts one thread per core for every matrix product, and its idle threads spin
before they sleep. The suite runs on two worker processes, each beside Streamlit servers, Chromium and CLI
subprocesses (which inherit this environment), so those threads fight over the two cores for matrices far too
small to gain from them: the placebo simulation took 74 s of CPU instead of 13 s with one thread each.
Results do not depend on it (the tests compare with tolerances); set OPENBLAS_NUM_THREADS to override.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

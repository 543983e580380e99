"""Reports: read-only figures of closed campaigns, every one through ``suppress``."""

import os

# The rank tests multiply many small matrices. OpenBLAS's threads fight over busy cores
# (an SVD of 60 x 400 took 0.5 s instead of 2 ms on a loaded 2-core machine): one thread
# per process, unless the administrator says otherwise. Read when numpy loads, so it
# only takes effect where the reports load numpy first (the CLI, the workers).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

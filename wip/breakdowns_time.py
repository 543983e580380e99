"""CPU time of a campaign's build without and with breakdowns (for wip/ only: the
breakdowns are not on main; run on a branch with the patches applied)."""

import sys
import time
from pathlib import Path

from sqlalchemy.orm import Session

from survey.core.db import make_engine
from survey.questionnaires.loader import load_directory
from survey.reports import services

questionnaires, _ = load_directory(Path("questionnaires"))
engine = make_engine(sys.argv[1])
with Session(engine) as session:
    start = time.process_time()
    services.build(session, sys.argv[2], questionnaires, 5)
    plain = time.process_time() - start
    start = time.process_time()
    services.build(session, sys.argv[2], questionnaires, 5, with_breakdowns=True)
    print(f"plain {plain:.2f} s CPU, with breakdowns {time.process_time() - start:.2f} s CPU")

"""Words, items and the time estimate of each shipped questionnaire.

    .venv/bin/python benchmarks/instrument_length.py [DIRECTORY]

The assumptions (words per minute, seconds per item) are in survey/questionnaires/length.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

from survey.questionnaires.length import measure, promised_minutes
from survey.questionnaires.loader import load_directory


def main() -> None:
    directory = Path(sys.argv[1] if len(sys.argv) > 1 else "questionnaires")
    found, problems = load_directory(directory)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{'questionnaire':<14}{'words':>7}{'items':>7}{'texts':>7}{'estimate':>10}  intro says")
    for qid, questionnaire in sorted(found.items()):
        length = measure(questionnaire)
        promise = promised_minutes(questionnaire)
        said = "-" if promise is None else "–".join(map(str, sorted(set(promise))))
        print(
            f"{qid:<14}{length.words:>7}{length.items:>7}{length.texts:>7}"
            f"{length.minutes:>9.1f}m  {said} min"
        )


if __name__ == "__main__":
    main()

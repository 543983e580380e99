"""Typed errors with a message for the person who meets them and an HTTP status.

One handler renders them (``survey.core.web``); the CLI prints them as one line.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class SurveyError(Exception):
    status = 400
    #: A short title and a plain explanation for the page a respondent sees.
    title = _l("Das hat nicht geklappt")
    message = _l("Bitte versuchen Sie es noch einmal.")
    #: The way on, as a button on the error page (shown when ``action_url`` is given).
    action_label: str | None = None

    def __init__(self, detail: str | None = None, action_url: str | None = None) -> None:
        super().__init__(detail or str(self.message))
        self.detail = detail
        self.action_url = action_url


class LinkUnknown(SurveyError):
    status = 404
    title = _l("Diesen Link gibt es nicht")
    message = _l(
        "Bitte prüfen Sie, ob der Link vollständig ist. Den richtigen Link bekommen Sie "
        "von Ihrer Schule."
    )


class LinkClosed(SurveyError):
    status = 410
    title = _l("Diese Befragung ist beendet")
    message = _l("Über diesen Link kann man nicht mehr antworten. Vielen Dank für Ihr Interesse!")


class DraftMissing(SurveyError):
    status = 410
    title = _l("Ihre Antworten sind nicht mehr da")
    message = _l(
        "Vielleicht ist zu viel Zeit vergangen, oder die Antworten wurden schon abgeschickt. "
        "Sie können den Fragebogen neu beginnen."
    )
    action_label = _l("Fragebogen neu beginnen")


class AnswersInvalid(SurveyError):
    """The last check before storing found answers the questionnaire does not allow.

    The forms catch these first; this is the guarantee that nothing invalid is stored.
    ``problems`` name variables and rules, never values.
    """

    status = 422
    title = _l("Bitte sehen Sie sich Ihre Antworten noch einmal an")
    message = _l(
        "Einige Antworten passen nicht zum Fragebogen. Gehen Sie bitte zurück und prüfen "
        "Sie die markierten Fragen."
    )

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class QuestionnaireInvalid(SurveyError):
    """A questionnaire file that does not validate; carries ``file:line: problem`` lines."""

    status = 500

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class SchemaNotCurrent(SurveyError):
    """The database was never upgraded, or is at another revision than the code."""

    status = 503

    def __init__(self, at: str | None, needed: str | None) -> None:
        state = "has no schema yet" if at is None else f"is at revision {at}"
        super().__init__(
            f"the database {state}, the code needs revision {needed}: run `survey db upgrade`"
        )
        self.at, self.needed = at, needed

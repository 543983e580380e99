"""Extensions, created unbound and bound to an app in ``create_app``."""

from flask_babel import Babel
from flask_wtf import CSRFProtect

from survey.core.db import Database

db = Database()
csrf = CSRFProtect()
babel = Babel()

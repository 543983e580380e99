"""Extensions, created unbound and bound to an app in ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_wtf import CSRFProtect

from survey.core.db import Database
from survey.core.ratelimit import client_key

db = Database()
csrf = CSRFProtect()
babel = Babel()
#: Storage from RATELIMIT_STORAGE_URL (memory:// per process, redis://… shared); see core.ratelimit.
limiter = Limiter(key_func=client_key, default_limits=[])

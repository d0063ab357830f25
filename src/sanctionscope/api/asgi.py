"""The ASGI application uvicorn runs (`sanctionscope serve`): configured from the environment."""

from __future__ import annotations

import os

from sanctionscope.api.app import create_app
from sanctionscope.store import db

app = create_app(db.connect(os.environ.get(db.DB_ENV), migrate=False), auth=not os.environ.get("SANCTIONSCOPE_NO_AUTH"))

"""The WSGI entry point: ``gunicorn wsgi:app``."""
from listener import create_app
from core import logs
from core.settings import load_settings

settings = load_settings()
logs.configure_from(settings)
app = create_app(settings)

"""The WSGI entry point: ``gunicorn wsgi:app``."""
from listener import create_app
from opbridge import logs
from opbridge.settings import load_settings

settings = load_settings()
logs.configure(settings.log_level, settings.log_format)
app = create_app(settings)

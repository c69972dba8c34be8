"""The FastAPI application."""

from fastapi import FastAPI

from tiersapp import __version__
from tiersapp.api.routes import router


def create_app() -> FastAPI:
    application = FastAPI(title="Tiers billing", version=__version__)
    application.state.events = []
    application.include_router(router)
    return application


app = create_app()

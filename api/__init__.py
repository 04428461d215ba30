"""FastAPI service of the LVR-Beratungskompass: caseworker search API, chat gateway to Rasa, widget hosting.

create_app(settings=None) -> FastAPI     no I/O; catalogue, index and clients load in the lifespan
Settings, get_settings()                 configuration from the environment (BK_*, PORT)
python -m api                            runs uvicorn on 127.0.0.1:PORT
"""

"""The desk's screens, one module each; every module lists its own `urlpatterns`."""

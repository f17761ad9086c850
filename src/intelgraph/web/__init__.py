"""The built web UI, served by the API at ``/``."""

"""HTTP routes: thin, typed on the wire schemas; the work is in :mod:`assistant.service.service`."""

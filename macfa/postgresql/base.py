"""Django's PostgreSQL backend, with a health check that costs no round trip while the connection is quiet.

``CONN_HEALTH_CHECKS`` makes Django check a kept connection before a request reuses it, so that after PostgreSQL
restarts no request fails on a dead connection. Django's check is ``SELECT 1``: a round trip on every request.
An idle connection is sent nothing unasked; when the server ends it (a restart, a terminated backend) it sends an
error and closes the socket, which makes the socket readable. So: a quiet socket is usable, and only a readable one
(or a connection that knows it is broken) gets Django's ``SELECT 1`` to decide.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            readable, _, _ = select.select([connection.pgconn.socket], [], [], 0)
        except (OSError, ValueError, self.Database.Error):  # type: ignore[attr-defined]
            return False
        return not readable or super().is_usable()

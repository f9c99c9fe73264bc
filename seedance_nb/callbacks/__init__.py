"""Provider callbacks for a team: a receiver that real providers can reach, per-task secret URLs.

- :mod:`.tokens` mints the secret of each task's callback URL and keeps only its hash.
- :mod:`.creates` gives a create its URL when a public callback URL is configured.
- :mod:`.handling` is what the receiver does with a callback: authenticate it by the secret,
  check it names the row's task, then ONE rate-limited GET whose answer is what counts.
- :mod:`.app` is the starlette app ``seedance callbacks serve`` runs under uvicorn.
- :mod:`.follow` lets a member's live task handles take up what the receiver recorded.

Importing this package imports neither starlette nor uvicorn.
"""

from __future__ import annotations

from .tokens import ENV_VAR, public_url, set_public_url

__all__ = ["ENV_VAR", "public_url", "set_public_url"]

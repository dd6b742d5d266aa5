"""`quizapp serve`: the app in a web browser, through textual-serve, behind an access code.

`access` (no third-party imports) decides whether a host is local, reads the access code
and opens the listening socket; `gate` is the log-in in front of the app; `server` runs
textual-serve with the gate in front. Only `server` and `gate` need the `web` extra.
"""

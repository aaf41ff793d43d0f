"""Pages and panels kept as HTML by everything they are drawn from, shared by the workers.

A key (services/view_keys) holds what a piece shows, the database's data stamp, the day, and whose
accounts the actor sees. Reading the stamp costs one statement of index look-ups; drawing an
account page or finding its paths again costs tens to hundreds of milliseconds. What one worker
drew, the others read from the shelf (services/memo) instead of drawing it again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from fastapi.responses import HTMLResponse

from crestline.services.memo import Memo

# A worker keeps the latest few itself (8 MB of each: panels are 10-40 KB, account pages 50-150
# KB) and reads the rest from the shelf, where the page cache of the system keeps them once.
PANELS: Memo[bytes] = Memo(max_items=1_024, max_size=8 << 20, size=len, shared="panels")
PAGES: Memo[bytes] = Memo(max_items=256, max_size=8 << 20, size=len, shared="pages")


def cached_panel(key: tuple[Hashable, ...], make: Callable[[], HTMLResponse]) -> HTMLResponse:
    """The panel kept for ``key``, else ``make()``'s (kept when it succeeded)."""
    body = PANELS.get(key)
    if body is not None:
        return HTMLResponse(body)
    response = make()
    if response.status_code == 200:
        PANELS.put(key, bytes(response.body))
    return response

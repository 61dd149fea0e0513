"""How ``foiltwin ui`` starts the dashboard: the ``streamlit run`` command line, bound to localhost by default.

Streamlit listens on every interface unless told otherwise, and the dashboard has no login: the command always
passes ``--server.address`` (default 127.0.0.1), and the repository's ``.streamlit/config.toml`` sets the same for a
plain ``streamlit run ui/app.py`` started from the repository's root. Nothing here imports Streamlit.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import re
import sys
from pathlib import Path

from process_models.errors import FoiltwinInputError

DEFAULT_HOST = "127.0.0.1"
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")


def check_host(host: str) -> str:
    """An IP address or a host name to listen on; anything else is refused."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if _HOSTNAME.match(host):
        return host
    raise FoiltwinInputError("--host", host, "an IP address or a host name, e.g. 127.0.0.1 (this machine only)")


def app_path() -> Path:
    """The packaged dashboard script (ui/app.py), found without importing it."""
    spec = importlib.util.find_spec("ui.app")
    if spec is None or spec.origin is None:
        raise FoiltwinInputError("ui", "ui/app.py", "an installed foiltwin with its ui package")
    return Path(spec.origin)


def streamlit_command(host: str = DEFAULT_HOST, port: int = 8501) -> list[str]:
    """``python -m streamlit run .../ui/app.py`` listening on ``host:port`` only, headless, no usage statistics."""
    host = check_host(host)
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise FoiltwinInputError("--port", port, "an integer in [1, 65535]")
    if importlib.util.find_spec("streamlit") is None:
        raise FoiltwinInputError("ui", "streamlit", "Streamlit installed: pip install 'foiltwin[ui]'")
    return [sys.executable, "-m", "streamlit", "run", str(app_path()), "--server.address", host,
            "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]

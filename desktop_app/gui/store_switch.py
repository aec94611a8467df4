"""Switching stores: the saved connections (never their tokens: those stay in the keyring) and
the demo store, always one of them. A mixin of ``MainWindow``."""
from __future__ import annotations

from typing import Any

from desktop_app.engine import credentials
from desktop_app.gui.errors import Dialogs

DEMO = ""      # the demo store's entry in the list


class StoreSwitch:
    def store_choices(self) -> list[tuple[str, str]]:
        """(label, url) of every store the window can switch to; the demo store (url "") first."""
        out = [("Demo store", DEMO)] if getattr(self, "_demo", None) is not None else []
        out += [(c.get("name") or c["url"], c["url"]) for c in self.settings.saved_connections()]
        return out

    def switch_store(self, url: str) -> None:
        """Connect to a saved store (its token from the keyring) or back to the demo store."""
        if self.runner.is_running():
            return
        if url == DEMO:
            if self._demo is not None and self.workspace is not self._demo:
                self._use_workspace(self._demo)
            return
        if self.workspace.info.url == url or self._connect is None:
            return
        saved = next((c for c in self.settings.saved_connections() if c["url"] == url), None)
        token = credentials.get_token(url)
        if saved is None or not token:
            Dialogs.info(self, title="Connect again", text=f"No access token is saved for {url} on this computer. "
                         "Use “Connect to a store…” and enter it again.")
            return
        options: dict[str, Any] = dict(self.settings.store_options(url))
        if "basic_user" in options:
            options["basic_password"] = credentials.get_basic_password(url) or ""
        connect, platform = self._connect, saved.get("platform", "genstore")

        def job(*, progress, cancel):
            ws = connect(platform=platform, url=url, token=token, **options)
            try:
                ws.test_connection() if hasattr(ws, "test_connection") else ws.locations()
            except BaseException:
                ws.close()
                raise
            return ws

        self._run(job, doing=f"connecting to {saved.get('name') or url}", title=f"Connecting to {url}…",
                  on_done=self._use_workspace, cancellable=False)

    def _use_workspace(self, workspace) -> None:
        old, self.workspace = self.workspace, workspace
        if old is not workspace and not old.info.is_demo:
            old.close()
        if not workspace.info.is_demo:
            self.settings.remember_connection(platform=workspace.info.platform, url=workspace.info.url,
                                              name=workspace.info.name)
        self.prepared = self.finished = None
        self.stack.setCurrentWidget(self.start_page)
        self._show_store()
        self._update_actions()

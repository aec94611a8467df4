"""Shoplazza's writes: one change's requests against one inventory level, and how their answers
become outcomes (the write semantics are in ``platforms.shoplazza``'s docstring)."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx

from desktop_app.core import issues
from desktop_app.core.errors import ProtocolError
from desktop_app.core.models import Change
from desktop_app.platforms.base import ChangeOutcome

if TYPE_CHECKING:
    from desktop_app.platforms.shoplazza import ShoplazzaConnector

#: statuses with which an adding store refuses an adjustment <= 0 (nothing is written)
REFUSAL_STATUSES = (400, 422)
DISCONNECT_REFUSED = ("Shoplazza refused to disconnect it from {location} ({status}: {message}), which is the only "
                      "way this store lets Stocksheet lower a level away from the default location; lower it in the "
                      "Shoplazza admin, or make {location} the default location and import again.")


def describe_error(response: httpx.Response) -> str:
    """The store's own words from ``{"code","message"}``, ``{"error",…}`` or ``{"errors":[…]}``."""
    try:
        body = json.loads(response.text)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text[:200] or response.reason_phrase
    if not isinstance(body, dict):
        return str(body)[:200]
    if body.get("error") == "insufficient_stock":
        return f"insufficient stock (the level is {body.get('current_stock')})"
    for key in ("message", "error"):
        if isinstance(body.get(key), str) and body[key]:
            return body[key]
    if isinstance(body.get("errors"), list) and body["errors"]:
        return "; ".join(str(e) for e in body["errors"])
    return str(body.get("code") or body)[:200]


def stock_of(level: dict[str, Any]) -> int:
    return int(level.get("stock") or 0)        # rows omit stock when it is 0


def insufficient(response: httpx.Response) -> bool:
    return "insufficient_stock" in response.text


class LevelWrite:
    """One change's requests against one inventory level, and how their answers become outcomes."""

    def __init__(self, connector: ShoplazzaConnector, change: Change, item: str) -> None:
        self.connector, self.change, self.item = connector, change, item
        self.target: int = change.after          # type: ignore[assignment]  # a whole number (checked)

    @property
    def _body(self) -> dict[str, Any]:
        return {"inventory_item_id": self.item, "location_id": self.change.location_id}

    def _level_answer(self, response: httpx.Response, what: str) -> int:
        level = self.connector._data(response).get("inventory_level")
        if not isinstance(level, dict):
            raise ProtocolError(f"The Shoplazza store answered {what} without an inventory_level.")
        return stock_of(level)

    def read(self) -> int | None:
        return self.connector._read_level(self.item, self.change.location_id)

    def connect(self, *, disconnected: bool = False) -> int | ChangeOutcome:
        """Connect the item at the location; the level the store then holds (read, not answered).
        ``disconnected``: Stocksheet disconnected it just before (to lower it), which a failure says."""
        response = self.connector._send("POST", "/inventory_levels", write=True, json=self._body)
        level = None
        if response.status_code == 200:
            self.connector._data(response)
            level = self.read()
        if level is not None:
            return level
        problem = (f"refused to connect it ({response.status_code}: {describe_error(response)})"
                   if response.status_code != 200 else "accepted connecting it but does not list the level")
        if disconnected:
            return failed_outcome(self.change, issues.PLATFORM_REJECTED, f"it was disconnected to be lowered, and then "
                           f"Shoplazza {problem}; connect it there in the Shoplazza admin and import again.")
        if response.status_code != 200:
            return self.refused(response)
        return failed_outcome(self.change, issues.PLATFORM_REJECTED, f"Shoplazza {problem}; connect it there in the "
                       "Shoplazza admin and import again.")

    def adjust(self, delta: int) -> httpx.Response:
        return self.connector._send("PUT", "/inventory_levels", write=True, json={**self._body, "stock_adjustment": delta})

    def add(self, delta: int) -> ChangeOutcome:
        """A positive adjustment: the same under either behaviour."""
        response = self.adjust(delta)
        if response.status_code != 200:
            return self.refused(response)
        return self.check(self._level_answer(response, "PUT /inventory_levels"))

    def lower_directly(self, before: int) -> ChangeOutcome | None:
        """A negative adjustment: applied by an absolute store, refused (nothing written) by an
        adding one. None when the store turned out to add (lower another way)."""
        connector = self.connector
        response = self.adjust(self.target - before)
        if response.status_code == 200:
            answered = self._level_answer(response, "PUT /inventory_levels")
            if connector.semantics == "absolute":
                return self.check(answered)
            level = self.read()                  # the probe: learn from the store, not from its answer
            if level == self.target:
                connector._learn("absolute")
            return self.check(level)
        if response.status_code not in REFUSAL_STATUSES or insufficient(response):
            return self.refused(response)
        level = self.read()
        if level is None:                        # not connected there (any more): the row's problem
            return self.refused(response)
        if level != before:                      # moved meanwhile: nothing to learn, nothing to overwrite
            return ChangeOutcome(change=self.change, ok=False, level_after=level, code=issues.STALE, error=(
                f"{level_name(self.change)}: the level moved from {before} to {level} while Stocksheet was writing, and "
                f"Shoplazza refused the change, so {self.target} was not written; export the current stock and "
                "re-run the sheet."))
        connector._learn("adding")               # refuses adjustments <= 0: the live, adding behaviour
        return None

    def set_through_variant(self) -> ChangeOutcome:
        """Absolute at the default location: ``PUT /variants/{id}`` with the price it holds now."""
        connector, change = self.connector, self.change
        response = connector._send("GET", f"/variants/{change.variant_id}")
        if response.status_code == 404:
            return failed_outcome(change, issues.VARIANT_NOT_FOUND, f"Shoplazza no longer has variant {change.variant_id}; "
                           "refresh the catalogue and try again.")
        if response.status_code != 200:
            raise ProtocolError(f"The Shoplazza store refused GET /variants/{change.variant_id} "
                                f"({response.status_code}: {describe_error(response)}).", status=response.status_code)
        variant = connector._data(response).get("variant") or {}
        body: dict[str, Any] = {"inventory_quantity": self.target}
        if variant.get("price") is not None:     # the schema requires it; sent back exactly as read
            body["price"] = variant["price"]
        connector._tracked[change.variant_id] = None     # unknown until a read or the tracking write says
        response = connector._send("PUT", f"/variants/{change.variant_id}", write=True, json={"variant": body})
        if response.status_code != 200:
            return self.refused(response)
        if not isinstance(connector._data(response).get("variant"), dict):
            raise ProtocolError(f"The Shoplazza store answered PUT /variants/{change.variant_id} without the variant.")
        if self.target == 0:
            # inventory_quantity 0 switches tracking off; the item was tracked (an untracked one reads
            # "not tracked" and is switched on first), so it must stay tracked. Should this answer be
            # lost, the variant reads "not tracked" and the engine's re-read sends what is missing.
            started = self.start_tracking(prefix="the level is 0, but turning inventory tracking back on failed: ")
            if isinstance(started, ChangeOutcome):
                return started
        else:
            connector._tracked[change.variant_id] = True
        return ChangeOutcome(change=change, ok=True)     # the answer holds no level: the engine reads it back

    def start_tracking(self, *, prefix: str = "turning inventory tracking on failed: ") -> int | None | ChangeOutcome:
        """Switch inventory tracking on for the item; the level the store then holds (read)."""
        connector = self.connector
        response = connector._send("PUT", f"/inventory_items/{self.item}", write=True,
                                   json={"inventory_item": {"tracking": True}})
        if response.status_code != 200:
            return self.refused(response, prefix=prefix)
        connector._tracked[self.change.variant_id] = True
        return self.read()

    def reconnect(self) -> ChangeOutcome:
        """Away from the default location on an adding store: disconnect, connect (0), add the target."""
        change = self.change
        response = self.connector._send("DELETE", "/inventory_levels", write=True, json=self._body)
        if response.status_code != 200:
            location = change.location_name or change.location_id
            return failed_outcome(change, issues.PLATFORM_REJECTED, DISCONNECT_REFUSED.format(
                location=location, status=response.status_code, message=describe_error(response).rstrip(".")))
        self.connector._data(response)
        base = self.connect(disconnected=True)
        if isinstance(base, ChangeOutcome):
            return base
        if base == self.target:
            return self.done(base)
        if base > self.target:
            return failed_outcome(change, issues.UNSUPPORTED, f"Shoplazza brought the level back at {base} when the item was "
                           f"reconnected, so it cannot be lowered to {self.target} through the API; lower it in the "
                           "Shoplazza admin.")
        return self.add(self.target - base)

    def check(self, level: int | None) -> ChangeOutcome:
        """ok only when the level the store shows is the target."""
        c = self.change
        if level == c.after:
            return self.done(level)
        shown = "no level (not connected)" if level is None else level
        was = "not stocked there" if c.before is None else c.before
        return ChangeOutcome(change=c, ok=False, level_after=level, code=issues.STALE, error=(
            f"{level_name(c)}: the store reports {shown} after the write, not the target {c.after} (it was {was} "
            "when read). The level changed meanwhile; export the current stock and re-run the sheet."))

    def done(self, level: int) -> ChangeOutcome:
        return ChangeOutcome(change=self.change, ok=True, level_after=level)

    def refused(self, response: httpx.Response, *, prefix: str = "") -> ChangeOutcome:
        return failed_outcome(self.change, issues.PLATFORM_REJECTED,
                       f"Shoplazza refused the change ({response.status_code}: {prefix}{describe_error(response)}).")


def level_name(change: Change) -> str:
    return f"{change.sku or change.variant_id} at {change.location_name or change.location_id}"


def failed_outcome(change: Change, code: str, message: str) -> ChangeOutcome:
    return ChangeOutcome(change=change, ok=False, code=code, error=f"{level_name(change)}: {message}")

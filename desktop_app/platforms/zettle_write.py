"""Zettle's writes: one chunk's bulk movement requests, what a 4xx or a re-read says about them,
and the settling of the products whose tracking they started (the semantics are in
``platforms.zettle``'s docstring). May import: core, httpx, ``platforms.base``, ``platforms.http``,
``platforms.zettle_api``."""
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import httpx

from desktop_app.core import issues
from desktop_app.core.errors import AmbiguousWriteError, StocksheetError
from desktop_app.core.models import NOT_TRACKED, Change
from desktop_app.platforms.base import ChangeOutcome
from desktop_app.platforms.zettle_api import SELF, balance_rows, describe_error, named_products

if TYPE_CHECKING:
    from desktop_app.platforms.zettle import ZettleConnector

AMBIGUOUS_ROUNDS = 2               # re-reads after unanswered writes that started tracking, per chunk


class ChunkWrite:
    """One chunk's write: the bulk request, what a 4xx or a re-read says, and the settling of the
    products whose tracking it started. Knows, per variant, the last balance an answer or a read
    gave (``live``; absent = unknown or hidden) and, per product, whether it is tracked."""

    def __init__(self, connector: ZettleConnector, items: list[tuple[int, Change]]) -> None:
        self.z = connector
        self.items = items
        self.target = {c.variant_id: c.after for _, c in items}
        self.product_of = {c.variant_id: c.product_id for _, c in items}
        self.products = list(dict.fromkeys(c.product_id for _, c in items))
        fresh = {c.product_id for _, c in items if c.before == NOT_TRACKED}
        self.fresh = [p for p in self.products if p in fresh]        # untracked when read: hidden balances
        # tracked when the sheet was compared, untracked since (the merchant): tracked again
        self.restarted = [p for p in self.products if p in connector._untracked and p not in fresh]
        self.tracked = {p: p not in fresh and p not in self.restarted for p in self.products}
        self.started: set[str] = set()      # products whose tracking this chunk started
        self.live: dict[str, int] = {c.variant_id: c.before if type(c.before) is int else 0
                                     for _, c in items if self.tracked[c.product_id]}
        #: a restarted product's balances when last visible (what tracking will bring back)
        self.last_seen: dict[str, int] = {c.variant_id: c.before for _, c in items
                                          if c.product_id in self.restarted and type(c.before) is int}
        self.failed: dict[str, str] = {}     # product → the platform's message
        self.ambiguous_rounds = 0

    # ---- the run --------------------------------------------------------------------------
    def run(self) -> dict[int, ChangeOutcome]:
        try:
            self._send(self.products, dict(self.target))
            self._settle_tracking()
        finally:
            for p in self.products:
                self.z._note_tracking(p, tracked=self.tracked[p])
        out: dict[int, ChangeOutcome] = {}
        for i, c in self.items:
            level = self.live.get(c.variant_id)
            who = c.sku or c.variant_id
            if c.product_id in self.failed:
                out[i] = ChangeOutcome(c, ok=False, level_after=level, code=issues.PLATFORM_REJECTED,
                                       error=f"Zettle rejected the change to {who}: {self.failed[c.product_id]}")
            elif level == c.after:
                out[i] = ChangeOutcome(c, ok=True, level_after=level)
            elif level is None:
                out[i] = ChangeOutcome(c, ok=False, code=issues.PLATFORM_REJECTED,
                                       error=f"Zettle accepted the change to {who} but did not report its new "
                                             "balance. Check it in Zettle before importing again.")
            else:
                out[i] = ChangeOutcome(c, ok=False, level_after=level, code=issues.PLATFORM_REJECTED,
                                       error=f"Zettle reports {level} for {who} after the change, not {c.after}: "
                                             "the level moved while importing (a sale?). Export the stock again "
                                             "and re-import.")
        return out

    def _send(self, products: list[str], wanted: dict[str, int]) -> None:
        """Bring ``wanted`` (variant → level) of ``products`` about, in one request if Zettle accepts it."""
        products = [p for p in products if p not in self.failed]
        members = set(products)
        moves = {v: t - self.live.get(v, self.last_seen.get(v, 0)) for v, t in wanted.items()
                 if self._product(v) in members}
        start = [p for p in products if not self.tracked[p]]
        body_products = [p for p in products if p in start or any(d for v, d in moves.items() if self._product(v) == p)]
        if not body_products:
            return
        changes = [{"productUuid": p, "trackingStatusChange": "START_TRACKING" if p in start else "NO_CHANGE",
                    "variantChanges": [self._movement(v, d) for v, d in moves.items() if d and self._product(v) == p]}
                   for p in body_products]
        sent = {v for v, d in moves.items() if d}
        try:
            response = self._post_bulk(changes)
        except AmbiguousWriteError:
            # A request on a product whose tracking this chunk (maybe) started touches variants the
            # engine does not know of: only this connector's re-read can tell what landed.
            own = [p for p in body_products if p in self.fresh and (p in start or p in self.started)]
            if not own or self.ambiguous_rounds >= AMBIGUOUS_ROUNDS:
                self._warn_unsettled(own)
                raise
            self.ambiguous_rounds += 1
            try:
                self._reread(body_products, started=start)
            except StocksheetError:
                self._warn_unsettled(own)
                raise
            self._send(products, wanted)
            return
        if response.status_code < 400:
            for v in sent:
                self.live.pop(v, None)      # known again only from the answer
            for p in start:
                self.tracked[p] = True
                self.started.add(p)
            self.live.update({v: b for _, v, b in balance_rows(self.z._http.json(response))})
            return
        message = describe_error(response)
        untracked = self._reread(body_products, started=start)
        if untracked:                       # tracking switched off since the read: track it again
            self._send(products, wanted)
            return
        named = named_products(response, body_products)
        if named:
            self.failed.update({p: message for p in named})
            self._send([p for p in products if p not in named], wanted)
        elif len(body_products) > 1:        # no product named: isolate the rejected ones by halves
            half = len(body_products) // 2
            self._send(body_products[:half], wanted)
            self._send(body_products[half:], wanted)
        else:
            self.failed[body_products[0]] = message

    def _reread(self, products: list[str], *, started: list[str]) -> list[str]:
        """Read the products again after a 4xx or an unanswered write: their balances, and whether
        they are tracked. Returns those found untracked although tracked when read (each once)."""
        tracked, rows = self.z._read_products(products)
        untracked = []
        for p in products:
            now = p in tracked
            if now and not self.tracked[p] and p in started:
                self.started.add(p)                     # our START_TRACKING landed
            if not now and self.tracked[p]:
                if p in self.restarted:                 # switched off again: do not loop
                    self.failed[p] = "Zettle stopped tracking this product again while it was being written."
                else:
                    self.restarted.append(p)
                    untracked.append(p)
                    for v in self._variants(p):
                        if v in self.live:
                            self.last_seen[v] = self.live[v]
            self.tracked[p] = now
            for v in self._variants(p):
                self.live.pop(v, None)
        for p, v, b in rows:
            self.product_of.setdefault(v, p)
            self.live[v] = b
        for p in products:
            if self.tracked[p]:
                for v in self._variants(p):
                    self.live.setdefault(v, 0)          # missing from a read = 0
        return untracked

    def _settle_tracking(self) -> None:
        """Every variant of a product this chunk started tracking ends at the sheet's target or,
        for a product that was untracked when read, at 0 if the sheet does not name it."""
        settling = [p for p in self.products if p in self.started and p not in self.failed]
        unsettled = [p for p in self.products if p in self.started and p in self.failed]
        self._warn_unsettled(unsettled)
        if not settling:
            return
        fresh = [p for p in settling if p in self.fresh]
        if any(v not in self.live for p in fresh for v in self._variants(p)) or \
                any(v not in self.live for v in self.target if self._product(v) in settling):
            self._reread(settling, started=[])
        others = {v: 0 for p in fresh for v in self._variants(p) if v not in self.target}
        revealed = {v: self.live.get(v, 0) for v in others}
        wanted = {**{v: t for v, t in self.target.items() if self._product(v) in settling}, **others}
        self._send(settling, wanted)
        for v, hidden in revealed.items():
            self._tell_zeroed(v, hidden=hidden, now=self.live.get(v))
        for p in self.restarted:
            if p in settling:
                rest = any(v not in self.target for v in self._variants(p))
                self.z.notices.append(f"Zettle had stopped tracking {self._name(p)} during the import; Stocksheet "
                                      "started tracking it again" + (
                                          ", and its variants not in the sheet kept their levels." if rest else "."))

    # ---- requests ------------------------------------------------------------------------
    def _post_bulk(self, product_changes: list[dict[str, Any]]) -> httpx.Response:
        external = str(uuid.uuid1())
        self.z.external_uuids.append(external)
        body = {"returnBalanceForLocationUuid": self.z._locations()["STORE"], "externalUuid": external,
                "productChanges": product_changes}
        return self.z._request(self.z._http, "POST", f"{SELF}/v2/inventory/bulk", json=body, write=True)

    def _movement(self, variant: str, delta: int) -> dict[str, Any]:
        loc = self.z._locations()
        src, dst = (loc["SUPPLIER"], loc["STORE"]) if delta > 0 else (loc["STORE"], loc[self.z.removal_location])
        return {"variantUuid": variant, "fromLocationUuid": src, "toLocationUuid": dst, "change": abs(delta)}

    # ---- helpers -------------------------------------------------------------------------
    def _product(self, variant: str) -> str:
        return self.product_of.get(variant) or self.z._product_of.get(variant, "")

    def _variants(self, product: str) -> list[str]:
        known = self.z._variants_of.get(product, [])
        extra = [v for v, p in self.product_of.items() if p == product and v not in known]
        return known + extra

    def _name(self, product: str) -> str:
        return self.z._names.get(product, product)

    def _tell_zeroed(self, variant: str, *, hidden: int, now: int | None) -> None:
        product = self._product(variant)
        who = f"Zettle started tracking {self._name(product)}: its variant " + \
              self.z._names.get(variant, f"{variant} (") + "not in the sheet)"
        if now == 0:
            self.z.notices.append(who + (f" came back with an old hidden balance of {hidden} and was set to 0."
                                         if hidden else " is now tracked at 0."))
        else:
            why = self.failed.get(product) or (f"Zettle reports {now}" if now is not None else "no balance was reported")
            self.z.notices.append(who + f" came back with an old hidden balance of {hidden} and could not be set to 0 "
                                        f"({why.rstrip('.')}). Set it in Zettle.")

    def _warn_unsettled(self, products: list[str]) -> None:
        for p in products:
            if p in self.fresh:
                self.z.notices.append(f"Stocksheet started tracking {self._name(p)} in Zettle but could not confirm "
                                      "its variants' levels: those not in the sheet may show old hidden balances. "
                                      "Check them in Zettle.")

"""The Zettle emulator's write handlers: tracking (``POST /inventory``, ``DELETE
/inventory/products/{productUuid}``), movements (``PUT /inventory``) and the bulk endpoint
(``POST /v2/inventory/bulk``), which all validate a whole request before applying it.

``Writes`` is a mixin of ``sandbox.zettle.ZettleApp``: it reads the app's state and options.
May import: ``sandbox.http``, ``sandbox.zettle_errors``, ``sandbox.zettle_state``, the standard library.
"""
from __future__ import annotations

from typing import Any

from desktop_app.sandbox.http import Request, Response
from desktop_app.sandbox.zettle_errors import ApiError, Failures, invalid, json_body, violation
from desktop_app.sandbox.zettle_state import Move, ZettleState


class Writes:
    state: ZettleState
    dedupe_external_uuid: bool
    max_bulk_products: int
    bulk_on_error: str
    write_balances: str

    # --- tracking -----------------------------------------------------------------------
    def _start_tracking(self, req: Request) -> Response:
        product = json_body(req).get("productUuid")
        if not isinstance(product, str):
            raise ApiError(400, "CONSTRAINT_VIOLATION", "productUuid is required.",
                           [violation("productUuid", "must not be null")])
        if product not in self.state.product_variants():
            raise ApiError(404, "ENTITY_NOT_FOUND", f"Product {product} not found.")
        self.state.apply(moves=[], start=[product], external_uuid=None)
        store = self.state.uuid_of("STORE")
        return Response(200, {"locationUuid": store, "variants": [
            {"locationUuid": store, "locationType": "STORE", "productUuid": p, "variantUuid": v,
             "balance": str(b) if self.write_balances == "string" else b}
            for p, v, b in self.state.balances([product]) if b != 0]})

    def _stop_tracking(self, req: Request) -> Response:
        product = req.params["product"]
        if product not in self.state.product_variants():
            raise ApiError(404, "ENTITY_NOT_FOUND", f"Product {product} not found.")
        self.state.apply(moves=[], stop=[product], external_uuid=None)
        return Response(204)

    # --- movements ----------------------------------------------------------------------
    def _movements(self, req: Request) -> Response:
        body = json_body(req)
        changes = body.get("changes")
        if not isinstance(changes, list) or not changes:
            raise invalid("changes", "must contain at least one change")
        raw = [(f"changes[{i}]", i, c.get("productUuid") if isinstance(c, dict) else None, c)
               for i, c in enumerate(changes)]
        return self._write(body, raw, start={}, stop={}, long_rows=True, failed=self._failures())

    def _failures(self) -> Failures:
        return Failures(partial=self.bulk_on_error == "partial")

    def _bulk(self, req: Request) -> Response:
        body = json_body(req)
        product_changes = body.get("productChanges")
        if not isinstance(product_changes, list) or not product_changes:
            raise invalid("productChanges", "must contain at least one product change")
        if len(product_changes) > self.max_bulk_products:
            raise ApiError(400, "CONSTRAINT_VIOLATION",
                           f"Too many product changes: {len(product_changes)}, at most {self.max_bulk_products} per request.",
                           [violation("productChanges", f"size must be between 1 and {self.max_bulk_products}")])
        failed = self._failures()
        raw, seen = [], set()
        start: dict[str, int] = {}          # product → its index in productChanges
        stop: dict[str, int] = {}
        for i, pc in enumerate(product_changes):
            where = f"productChanges[{i}]"
            if not isinstance(pc, dict) or not isinstance(pc.get("productUuid"), str):
                failed.invalid(i, f"{where}.productUuid", "must not be null")
                continue
            product = pc["productUuid"]
            if product in seen:
                failed.invalid(i, f"{where}.productUuid", "the same product appears more than once")
            seen.add(product)
            status = pc.get("trackingStatusChange", "NO_CHANGE")
            variant_changes = pc.get("variantChanges") or []
            if status not in ("START_TRACKING", "STOP_TRACKING", "NO_CHANGE"):
                failed.invalid(i, f"{where}.trackingStatusChange", "must be one of START_TRACKING, STOP_TRACKING, NO_CHANGE")
            elif status == "STOP_TRACKING" and variant_changes:
                failed.invalid(i, f"{where}.variantChanges", "must be empty when tracking stops")
            if status == "START_TRACKING":
                start[product] = i
            elif status == "STOP_TRACKING":
                stop[product] = i
            if not isinstance(variant_changes, list):
                failed.invalid(i, f"{where}.variantChanges", "must be a list")
                continue
            for j, vc in enumerate(variant_changes):
                raw.append((f"{where}.variantChanges[{j}]", i, product,
                            {**vc, "productUuid": product} if isinstance(vc, dict) else vc))
        failed.stage()
        catalogue = self.state.product_variants()
        unknown = {p: i for p, i in (start | stop).items() if p not in catalogue}
        for i, pc in enumerate(product_changes):
            if isinstance(pc, dict) and pc.get("productUuid") in unknown:
                failed.add(i, 404, "ENTITY_NOT_FOUND", f"Product {next(iter(unknown))} not found.",
                           violation(f"productChanges[{i}].productUuid", "product not found"))
        failed.stage()
        return self._write(body, raw, start=start, stop=stop, long_rows=False, failed=failed)

    def _write(self, body: dict[str, Any], raw: list[tuple[str, int, Any, Any]], *, start: dict[str, int],
               stop: dict[str, int], long_rows: bool, failed: Failures) -> Response:
        """Validate every movement (structure → existence → tracking), then apply all or none
        (``bulk_on_error="partial"``: apply what had no violation, then answer the 4xx anyway)."""
        st = self.state
        types = st.location_types()
        external = body.get("externalUuid")
        if external is not None and not isinstance(external, str):
            raise invalid("externalUuid", "must be a UUID")
        ret = body.get("returnBalanceForLocationUuid") or st.uuid_of("STORE")
        if ret not in types:
            raise invalid("returnBalanceForLocationUuid", "is not a location of this organization")
        if self.dedupe_external_uuid and external and (reply := st.remembered_reply(external)) is not None:
            return Response(200, reply)
        moves: list[tuple[str, int, Move]] = []
        for where, group, product, c in raw:
            if not isinstance(c, dict):
                failed.invalid(group, where, "must be an object")
                continue
            change = c.get("change")
            if type(change) is not int or change <= 0:
                failed.invalid(group, f"{where}.change", "must be a positive integer (greater than 0)")
            for key in ("fromLocationUuid", "toLocationUuid"):
                if c.get(key) not in types:
                    failed.invalid(group, f"{where}.{key}", "is not a location of this organization")
            if c.get("fromLocationUuid") == c.get("toLocationUuid"):
                failed.invalid(group, where, "fromLocationUuid and toLocationUuid must differ")
            if not isinstance(product, str) or not isinstance(c.get("variantUuid"), str):
                failed.invalid(group, f"{where}.variantUuid", "productUuid and variantUuid are required")
                continue
            moves.append((where, group, Move(product, c["variantUuid"], c.get("fromLocationUuid"),
                                             c.get("toLocationUuid"), change)))
        failed.stage()
        catalogue = st.product_variants()
        for w, g, m in moves:
            if m.variant_uuid not in catalogue.get(m.product_uuid, ()):
                failed.add(g, 404, "ENTITY_NOT_FOUND", "A product or variant in the request was not found.",
                           violation(f"{w}.variantUuid", f"variant {m.variant_uuid} of product {m.product_uuid} not found"))
        failed.stage()
        tracked = st.tracked() | set(start)
        named: dict[str, tuple[int, str]] = {}
        for w, g, m in moves:
            if m.product_uuid not in tracked:
                named.setdefault(f"{w.rsplit('.variantChanges', 1)[0]}.productUuid", (g, m.product_uuid))
        for prop, (g, p) in named.items():
            failed.add(g, 422, "PRODUCT_NOT_TRACKED", f"Product {p} is not tracked.",
                       violation(prop, f"product {p} is not tracked"))
        failed.stage()
        good = [m for _, g, m in moves if g not in failed.groups]
        st.apply(moves=good, start=sorted(p for p, g in start.items() if g not in failed.groups),
                 stop=sorted(p for p, g in stop.items() if g not in failed.groups), external_uuid=external)
        failed.stage(final=True)                    # the partial reading: applied, and still a 4xx
        reply = self._write_reply(ret, good, long_rows=long_rows)
        if self.dedupe_external_uuid and external:
            st.remember_reply(external, reply)
        return Response(200, reply)

    def _write_reply(self, location: str, moves: list[Move], *, long_rows: bool) -> dict[str, Any]:
        kind = self.state.location_types()[location]
        variants: dict[str, dict[str, Any]] = {}
        if kind == "STORE":
            for m in moves:
                balance = self.state.variant_balance(m.variant_uuid)
                row = {"productUuid": m.product_uuid, "variantUuid": m.variant_uuid,
                       "balance": str(balance) if self.write_balances == "string" else balance}
                variants[m.variant_uuid] = {"locationUuid": location, "locationType": kind, **row} if long_rows else row
        return {"locationUuid": location, "variants": list(variants.values())}

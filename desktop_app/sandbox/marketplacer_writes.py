"""The Marketplacer emulator's write handlers: ``PUT /variants/{id}``, the bulk ``POST
/variants/stock_on_hand``, and a multi-store variant's inventories (``PUT``, ``DELETE``). Each
validates the whole request before anything is applied (``bulk="partial"``: the good entries of
the bulk map are applied, then the 422).

``Writes`` is a mixin of ``sandbox.marketplacer.MarketplacerApp``: it uses the app's state, its
options and its lookups and renderings (``_variant_row``, ``_multi_store_row``, ``_variant``,
``_inventory``, ``_ok``, ``_url``).
May import: ``sandbox.http``, ``sandbox.marketplacer_errors``, ``sandbox.marketplacer_state``, the standard library.
"""
from __future__ import annotations

import json
from typing import Any, Callable

from desktop_app.sandbox.http import Request, Response
from desktop_app.sandbox.marketplacer_errors import (
    JSONAPI, WHOLE, ApiError, ValidationErrors, invalid_count, json_body, whole)
from desktop_app.sandbox.marketplacer_state import INFINITE, MarketplacerState


class Writes:
    state: MarketplacerState
    bulk: str
    _variant_row: Callable[[Request], dict[str, Any]]
    _multi_store_row: Callable[[Request], dict[str, Any]]
    _variant: Callable[[dict[str, Any]], dict[str, Any]]
    _inventory: Callable[[dict[str, Any]], dict[str, Any]]
    _ok: Callable[[dict[str, Any]], Response]
    _url: Callable[..., str]

    # -- variants ------------------------------------------------------------------------------

    def _put_variant(self, request: Request) -> Response:
        row = self._variant_row(request)
        data = json_body(request).get("data")
        attrs = data.get("attributes") if isinstance(data, dict) else None
        if not isinstance(attrs, dict):
            raise ApiError(400, "Bad Request", "The body must be {\"data\": {\"type\": \"variants\", \"attributes\": {…}}}.")
        count = attrs.get("count_on_hand")
        infinite = attrs.get("infinite")
        errors = []
        if "count_on_hand" in attrs and whole(count) is None:
            errors.append(invalid_count(count, "/data/attributes/count_on_hand"))
        if "infinite" in attrs and not isinstance(infinite, bool):
            errors.append(ApiError(422, "Invalid Attribute", f"infinite must be true or false, not {json.dumps(infinite)}.",
                                   pointer="/data/attributes/infinite"))
        if errors:
            raise ValidationErrors(errors)
        if "count_on_hand" in attrs or "infinite" in attrs:
            self.state.set_variant_stock({row["id"]: (whole(count) if "count_on_hand" in attrs else None,
                                                      infinite if "infinite" in attrs else None)},
                                         via=f"PUT {request.path}")
        self.state.set_identity(row["id"], {f: attrs[f] for f in ("sku", "barcode", "external_id")
                                            if isinstance(attrs.get(f), str)})
        fresh = self.state.variant(row["id"])
        return self._ok({"links": {"self": self._url(request, request.path)}, "data": [self._variant(fresh)]})

    def _stock_on_hand(self, request: Request) -> Response:
        body = json_body(request)
        mapping = body.get("count_on_hand")
        if not isinstance(mapping, dict) or not mapping:
            raise ApiError(422, "Invalid Request",
                           "count_on_hand must be an object mapping variant ids to stock levels, with at least one entry.",
                           pointer="/count_on_hand")
        errors: list[ApiError] = []
        updates: dict[int, tuple[int | None, bool | None]] = {}
        for key, value in mapping.items():
            pointer = f"/count_on_hand/{key}"
            if not WHOLE.fullmatch(key) or self.state.variant(int(key)) is None:
                errors.append(ApiError(422, "Not Found", f"Variant {key} does not exist or is not yours.", pointer=pointer))
            elif value == INFINITE:
                updates[int(key)] = (None, True)
            elif (n := whole(value)) is not None:
                updates[int(key)] = (n, False)
            else:
                errors.append(invalid_count(value, pointer))
        if errors and self.bulk == "partial" and updates:
            self.state.set_variant_stock(updates, via=f"POST {request.path}")   # the good ones, then the 422
        if errors:
            raise ValidationErrors(errors)
        self.state.set_variant_stock(updates, via=f"POST {request.path}")
        return Response(201, None, headers={"Content-Type": JSONAPI})

    # -- inventories ---------------------------------------------------------------------------

    def _put_inventories(self, request: Request) -> Response:
        row = self._multi_store_row(request)
        data = json_body(request).get("data")
        if not isinstance(data, list) or not data:
            raise ApiError(400, "Bad Request", "The body must be {\"data\": [{\"type\": \"inventories\", \"attributes\": {…}}]}.")
        sellers = {m["seller_id"] for m in self.state.memberships()}
        errors: list[ApiError] = []
        rows: list[dict[str, Any]] = []
        for i, item in enumerate(data):
            attrs = item.get("attributes") if isinstance(item, dict) else None
            pointer = f"/data/{i}/attributes"
            if not isinstance(attrs, dict):
                errors.append(ApiError(422, "Invalid Attribute", f"Inventory {i + 1} has no attributes.", pointer=pointer))
                continue
            seller_id = attrs.get("seller_id")
            if isinstance(seller_id, str) and WHOLE.fullmatch(seller_id):
                seller_id = int(seller_id)
            if seller_id not in sellers or isinstance(seller_id, bool):
                errors.append(ApiError(422, "Invalid Attribute",
                                       f"seller_id {json.dumps(seller_id)} is not a member of this multi-store.",
                                       pointer=pointer + "/seller_id"))
                continue
            clean: dict[str, Any] = {"seller_id": seller_id}
            if "count_on_hand" in attrs:
                if (n := whole(attrs["count_on_hand"])) is None:
                    errors.append(invalid_count(attrs["count_on_hand"], pointer + "/count_on_hand"))
                    continue
                clean["count_on_hand"] = n
            if "infinite" in attrs:
                if not isinstance(attrs["infinite"], bool):
                    errors.append(ApiError(422, "Invalid Attribute", "infinite must be true or false.",
                                           pointer=pointer + "/infinite"))
                    continue
                clean["infinite"] = attrs["infinite"]
            for money in ("price", "sale_price"):
                if attrs.get(money) is not None:
                    clean[money] = str(attrs[money])
            if isinstance(attrs.get("fulfilment_provider"), str):
                clean["fulfilment_provider"] = attrs["fulfilment_provider"]
            rows.append(clean)
        if errors:
            raise ValidationErrors(errors)
        self.state.upsert_inventories(row["id"], rows, via=f"PUT {request.path}")
        return self._ok({"data": [self._inventory(i) for i in self.state.inventories(row["id"])]})

    def _delete_inventory(self, request: Request) -> Response:
        row = self._multi_store_row(request)
        if not self.state.delete_inventory(row["id"], int(request.params["inv"]), via=f"DELETE {request.path}"):
            raise ApiError(404, "Not Found", f"Inventory {request.params['inv']} of variant {row['id']} does not exist.")
        return Response(204, None)

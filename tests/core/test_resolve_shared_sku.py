from desktop_app.core.models import Catalog, KeyKind, Location, Mode, StockRow, Variant
from desktop_app.core.resolve import resolve

LOC = Location(id="1", name="Main")
A = Variant(id="v-a", product_id="p1", sku="MUG-SAGE", title="Sage")
B = Variant(id="v-b", product_id="p2", sku="MUG-SAGE", title="Sage, boxed")


def row(alt: dict) -> StockRow:
    return StockRow(row=2, column="Available", key="MUG-SAGE", key_kind=KeyKind.SKU, key_column="SKU",
                    location_ref="Main", location_column="Location", mode=Mode.SET, quantity=3, alt_keys=alt)


def test_a_shared_sku_is_settled_by_the_rows_variant_id():
    targets, issues = resolve([row({KeyKind.VARIANT_ID: "v-b"})], Catalog(locations=[LOC], variants=[A, B]))
    assert issues == [] and targets[0].variant is B


def test_a_shared_sku_without_another_identity_cell_is_ambiguous():
    targets, issues = resolve([row({})], Catalog(locations=[LOC], variants=[A, B]))
    assert targets == [] and issues[0].code == "variant-ambiguous"

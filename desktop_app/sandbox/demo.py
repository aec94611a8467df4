"""The shared demo merchant: a small, believable shop every emulator starts from.

``demo_base()`` returns a fresh ``CatalogSpec`` (safe to mutate): three locations
("Main Warehouse", "Outlet Store", "Pop-up") and ~20 variants — organic T-shirts in colours and
sizes, stoneware mugs, a scented candle, a tote bag and a gift card. Barcodes are valid EAN-13s
(some with leading zeros, as UPC-A codes padded to 13 digits are). Not every variant is stocked
everywhere: the Pop-up carries only a few lines. Each emulator layers its own awkward cases on top
(see ``demo_catalog()`` in each platform module).
"""
from __future__ import annotations

from desktop_app.sandbox.catalog import CatalogLocation, CatalogSpec, CatalogVariant

MAIN = "Main Warehouse"
OUTLET = "Outlet Store"
POPUP = "Pop-up"
LOCATIONS = (MAIN, OUTLET, POPUP)


def ean13(body: str) -> str:
    """Append the EAN-13 check digit to a 12-digit body."""
    if len(body) != 12 or not body.isdigit():
        raise ValueError(f"an EAN-13 body has 12 digits, not {body!r}")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def demo_base() -> CatalogSpec:
    variants: list[CatalogVariant] = []
    colours = [("Black", "BLK"), ("White", "WHT"), ("Navy", "NVY")]
    sizes = ["S", "M", "L", "XL"]
    for ci, (colour, code) in enumerate(colours):
        for si, size in enumerate(sizes):
            n = ci * len(sizes) + si
            levels = {MAIN: 20 + 7 * n % 31, OUTLET: (3 * n) % 9}
            if colour == "Black" and size in ("M", "L"):
                levels[POPUP] = 4 + si
            variants.append(CatalogVariant(
                product="Organic Cotton T-Shirt", title=f"{colour} / {size}", sku=f"TS-{code}-{size}",
                barcode=ean13(f"50601234{n:04d}"), levels=levels))
    for i, (colour, code) in enumerate([("Sage", "SAGE"), ("Charcoal", "CHAR")]):
        variants.append(CatalogVariant(
            product="Stoneware Mug 350 ml", title=colour, sku=f"MUG-{code}",
            barcode=ean13(f"00123456{i + 7:04d}"),           # UPC-A padded: leading zeros matter
            levels={MAIN: 48 - 12 * i, OUTLET: 6 + i, POPUP: 2}))
    variants.append(CatalogVariant(
        product="Crème Brûlée Scented Candle", title="Default Title", sku="CANDLE-CREME",
        barcode=ean13("003600029145"), levels={MAIN: 35, OUTLET: 8}))      # not at the Pop-up
    variants.append(CatalogVariant(
        product="Canvas Tote Bag", title="Natural", sku="TOTE-NAT",
        barcode=ean13("506012349001"), levels={MAIN: 60, OUTLET: 12, POPUP: 9}))
    variants.append(CatalogVariant(
        product="Gift Card", title="£25", sku="GIFT-25", barcode=None, levels={MAIN: 500}))
    return CatalogSpec(locations=[CatalogLocation(name=n) for n in LOCATIONS], variants=variants)

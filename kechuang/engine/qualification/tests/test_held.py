"""IP counts only items the enterprise still holds (schema 1.3: transferred away, plain licence)."""

import datetime as dt

from kechuang.engine.qualification.features import compute_row, feature_exprs
from kechuang.engine.qualification.schema import Context, record_to_row, records_to_frame

CTX = Context(dt.date(2026, 6, 30))


def _item(number, **kw):
    return {"number": number, "type": "invention_patent", "granted_on": "2022-01-01",
            "acquisition": "self_developed", "main_product_related": True, **kw}


def _record(*items):
    return {"uscc": "91370112MA3C000001", "name": "示例", "registered_on": "2015-01-01", "ip": list(items)}


HOLDINGS = _record(
    _item("A"),                                            # held
    _item("B", transferred_out_on="2026-03-01"),           # sold before the date: not held
    _item("C", transferred_out_on="2026-09-01"),           # sold after the date: still held then
    _item("D", held_as="licensee"),                        # plain licence: not held
    _item("E", held_as="exclusive_licensee"),              # exclusive licence: counts
)


def _both(rec, name):
    row, _ = record_to_row(rec, CTX)
    one = compute_row(row, CTX, [name])
    batch = records_to_frame([rec]).select(feature_exprs(CTX, [name])).row(0, named=True)
    return (one[name], one[f"{name}__hi"]), (batch[name], batch[f"{name}__hi"])


def test_transferred_and_plainly_licensed_items_do_not_count_on_both_paths():
    assert _both(HOLDINGS, "invention_any") == ((3, 3), (3, 3))


def test_records_without_the_new_facts_count_as_before_and_are_never_unknown():
    assert _both(_record(_item("A"), _item("B")), "invention_any") == ((2, 2), (2, 2))

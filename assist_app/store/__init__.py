"""The embedded default store (SQLite): schema, queries, demo-data generator.

`Store(path)` opens or creates a store; `Store.demo(path, seed, now)` also fills it with the 拓路者 demo shop.
"""

from assist_app.store.queries import SHOP_TZ, Store, StoreError

__all__ = ["SHOP_TZ", "Store", "StoreError"]

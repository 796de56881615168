"""The store: SQLite by default, PostgreSQL for teams. The tables (`tables`), the engine and its migrations
(`engine`, `migrations/`), one repository module per aggregate returning records or typed rows (`rows`), and the
`Store` that holds them; every open brings the schema up to date.

    from supplier_models.store import store_for
    store = store_for(settings.url)   # one store per database per process
    store.vendors.find("Lumen")
"""

from .engine import alembic_config, close_engines, make_engine, migrate, migration_heads
from .store import Store, store_for

__all__ = ["Store", "alembic_config", "close_engines", "make_engine", "migrate", "migration_heads", "store_for"]

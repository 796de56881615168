"""The store: SQLite by default, PostgreSQL for teams. The tables (`tables`), the engine and its migrations, and
the queries over them; every open brings the schema up to date.

    from supplier_models.store import store_for
    store = store_for(settings.url)   # one store per database per process
"""

from .store import Store, _alembic_config, close_engines, make_engine, migrate, migration_heads, store_for, today

__all__ = ["Store", "_alembic_config", "close_engines", "make_engine", "migrate", "migration_heads", "store_for",
           "today"]

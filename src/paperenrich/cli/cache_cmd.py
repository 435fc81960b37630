"""`paperenrich cache stats|clear|prune`: look after the SQLite cache."""

from __future__ import annotations

import json
from pathlib import Path

import click

from paperenrich.cli.app import app

_cache_option = click.option("--cache", "cache_dir", type=click.Path(path_type=Path, file_okay=False),
                             help="Cache directory (default: the user cache, e.g. ~/.cache/paperenrich; $PAPERENRICH_CACHE).")
_config_option = click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="Config file.")


def _open(cache_dir: Path | None, config: Path | None):
    from paperenrich.cache import DB_NAME, Cache
    from paperenrich.config import load_settings

    settings = load_settings(config, cache_dir=cache_dir)
    # Looking after a cache never creates one: with no database file, there is nothing to do.
    exists = (settings.cache_dir / DB_NAME).is_file()
    return settings, Cache(settings.cache_dir, enabled=exists)


def _where_from(chosen: Path, flag: Path | None) -> str:
    """Which setting chose the cache directory, so a user knows what to change."""
    import os

    from paperenrich.config import user_cache_dir

    if flag is not None:
        return "from --cache"
    if os.environ.get("PAPERENRICH_CACHE"):
        return "from PAPERENRICH_CACHE"
    if chosen == user_cache_dir():
        return "the user cache; --cache DIR or PAPERENRICH_CACHE to change"
    return "from the config file"


@app.group()
def cache() -> None:
    """Look after the cache: stats, clear, prune."""


@cache.command()
@_cache_option
@_config_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def stats(cache_dir: Path | None, config: Path | None, as_json: bool) -> None:
    """Entries per namespace (negative answers apart), their age, and the file size."""
    import time

    settings, store = _open(cache_dir, config)
    info = store.stats()
    store.close()
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    click.echo(f"cache: {info['path']} ({_where_from(settings.cache_dir, cache_dir)})")
    if not info.get("exists"):
        click.echo("  no cache yet")
        return
    click.echo(f"  {info.get('bytes', 0) / 1e6:.2f} MB")
    now = time.time()
    for ns, s in sorted(info.get("namespaces", {}).items()):
        age = (now - s["oldest"]) / 86400 if s["oldest"] else 0
        click.echo(f"  {ns:12} {s['entries']:7} entries ({s['negative']} negative), oldest {age:.1f} days")


@cache.command()
@_cache_option
@_config_option
@click.option("--namespace", help="Only this namespace (arxiv, s2, s2_title, arxiv_title, s2_match, links).")
def clear(cache_dir: Path | None, config: Path | None, namespace: str | None) -> None:
    """Delete cached answers (all, or one namespace)."""
    _, store = _open(cache_dir, config)
    removed = store.clear(namespace)
    store.close()
    click.echo(f"removed {removed} entries")


@cache.command()
@_cache_option
@_config_option
def prune(cache_dir: Path | None, config: Path | None) -> None:
    """Delete answers older than their TTL (metadata, citation counts, negative answers, links)."""
    from paperenrich.resolve import namespace_ttls

    settings, store = _open(cache_dir, config)
    removed = store.prune({**namespace_ttls(settings), "links": settings.ttl_links}, negative_max_age=settings.ttl_negative)
    store.close()
    click.echo(f"removed {removed} expired entries")

"""Which Hypothesis example database a run keeps its failures in, chosen from the environment.

* ``CLAIMS_REDIS_URL`` (e.g. ``redis://host:6379/0``): a database a team shares.  Every machine that hunts the
  same claim writes the failures it finds to one Redis server (``hypothesis.extra.redis.RedisExampleDatabase``)
  and replays the others' first.  A local directory database is written alongside (``MultiplexedDatabase``), so
  a failure found while sharing still replays offline.  A configured server that does not answer is an error,
  not a silent fallback: a run that believes it shares its failures must share them.
* ``CLAIMS_GITHUB_DB`` (``owner/repo``): also read, never write, the example database that the nightly workflow
  uploads as the artifact ``hypothesis-example-db`` (``GitHubArtifactDatabase``; it needs ``GITHUB_TOKEN``), so a
  developer's run starts from the hardest examples the nights found.
* otherwise a directory database: ``CLAIMS_EXAMPLE_DB`` if set, else the folder the caller names (the nightly
  profile uses ``.hypothesis/nightly``; the nightly workflow carries that folder from night to night).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from hypothesis.database import (
    DirectoryBasedExampleDatabase,
    ExampleDatabase,
    GitHubArtifactDatabase,
    MultiplexedDatabase,
    ReadOnlyDatabase,
)

REDIS_ENV = "CLAIMS_REDIS_URL"
DIRECTORY_ENV = "CLAIMS_EXAMPLE_DB"
GITHUB_ENV = "CLAIMS_GITHUB_DB"
KEY_PREFIX = b"landscape-claims:"  # keeps this suite's entries apart from other projects on a shared server
REDIS_TIMEOUT_S = 5.0  # a server that takes longer to answer a ping is treated as unreachable


def redis_database(url: str) -> ExampleDatabase:
    """A ``RedisExampleDatabase`` on the server at ``url``; raises ``RuntimeError`` when it does not answer."""
    import redis
    from hypothesis.extra.redis import RedisExampleDatabase

    client = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        raise RuntimeError(
            f"{REDIS_ENV}={url!r}: the Redis server does not answer ({type(exc).__name__}: {exc}); start it, or "
            f"unset {REDIS_ENV} to keep failures in a local directory database"
        ) from None
    return RedisExampleDatabase(client, key_prefix=KEY_PREFIX)


def example_database(default_dir: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> ExampleDatabase:
    """The example database selected by the environment (module docstring); ``default_dir`` is the directory
    database used when ``CLAIMS_EXAMPLE_DB`` is not set."""
    env = os.environ if env is None else env
    local: ExampleDatabase = DirectoryBasedExampleDatabase(env.get(DIRECTORY_ENV) or os.fspath(default_dir))
    parts = [local]
    url = env.get(REDIS_ENV)
    if url:
        parts.append(redis_database(url))
    repo = env.get(GITHUB_ENV)
    if repo:
        owner, _, name = repo.partition("/")
        if not owner or not name:
            raise ValueError(f"{GITHUB_ENV}={repo!r}: expected owner/repo")
        parts.append(ReadOnlyDatabase(GitHubArtifactDatabase(owner, name)))
    return parts[0] if len(parts) == 1 else MultiplexedDatabase(*parts)


def describe(db: ExampleDatabase) -> str:
    """A one-line description of a database for the run's header (which store, where)."""
    if isinstance(db, MultiplexedDatabase):
        return " + ".join(describe(d) for d in db._wrapped)
    if isinstance(db, DirectoryBasedExampleDatabase):
        return f"directory {db.path}"
    if isinstance(db, ReadOnlyDatabase):
        return f"read-only {describe(db._wrapped)}"
    return type(db).__name__

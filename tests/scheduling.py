"""Loaded with the test run (`-p tests.scheduling` in pyproject.toml): the order tests
are handed out in, so that `make test`'s processes finish together.

pytest-django runs tests in three groups: those inside a transaction, then those
that commit (transactional, they flush the database), then those without a
database. `make test` has pytest-xdist hand them out in that order, one or two at
a time (``--maxschedchunk 1``), to whichever process is free. Tests marked
``long_running`` go first where that order allows: the ones that do not commit at
the very start, the ones that commit at the start of their group. A run no longer
ends with one process on a minute-long browser walk while the others wait.
"""

import pytest


def _commits(item) -> bool:
    fixtures = getattr(item, "fixturenames", ())
    if "transactional_db" in fixtures or "live_server" in fixtures:
        return True
    marker = item.get_closest_marker("django_db")
    return bool(
        marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    def long(item):
        return item.get_closest_marker("long_running") is not None

    first = [i for i in items if long(i) and not _commits(i)]
    moved = {id(i) for i in first}
    committing = [i for i in items if _commits(i)]
    index = items.index(committing[0]) if committing else len(items)
    before = [i for i in items[:index] if not long(i)]
    rest = items[index:]
    rest = [i for i in rest if long(i) and _commits(i)] + [
        i for i in rest if not (long(i) and _commits(i)) and id(i) not in moved
    ]
    ordered = first + before + rest
    assert sorted(map(id, ordered)) == sorted(map(id, items))
    items[:] = ordered

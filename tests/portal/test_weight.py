"""Light on slow phones (issue 13, item 4): pages and static files go out compressed,
and a call page's first visit weighs at most 25 KB on the wire."""

import gzip
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.factories import build_site, make_call

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
FIRST_VISIT_LIMIT = 25 * 1024


@pytest.fixture
def call():
    return make_call(build_site()["calls"])


def test_pages_go_out_gzipped_with_random_padding_against_breach(client, call):
    plain = client.get(call.url).content
    first, second = client.get(call.url, **GZIP), client.get(call.url, **GZIP)
    assert first["Content-Encoding"] == "gzip" and "Accept-Encoding" in first["Vary"]
    assert gzip.decompress(first.content) == plain
    assert len(first.content) < len(plain) / 3
    # Django's mitigation (Heal The BREACH): each response is padded with random
    # bytes, so the compressed length does not follow the secret inside it.
    sizes = {len(client.get(call.url, **GZIP).content) for _ in range(8)} | {
        len(first.content),
        len(second.content),
    }
    assert len(sizes) > 1


def test_a_call_pages_first_visit_is_at_most_25_kb_on_the_wire(client, call, tmp_path):
    """The page, gzipped, and every static file it loads, as collectstatic compresses them
    (the ``.gz`` WhiteNoise sends to a browser that accepts gzip)."""
    storage = {"BACKEND": "core.storage.StaticFilesStorage"}
    with override_settings(
        STATIC_ROOT=tmp_path,
        STORAGES={**_storages(), "staticfiles": storage},
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
    page = client.get(call.url, **GZIP)
    html = gzip.decompress(page.content).decode()
    assets = re.findall(r'(?:href|src)="/static/([^"]+)"', html)
    assert any(a.endswith(".css") for a in assets)
    weights = {"page": len(page.content)}
    for asset in assets:
        weights[asset] = _compressed_size(tmp_path, asset)
    total = sum(weights.values())
    print(weights, total)
    assert total <= FIRST_VISIT_LIMIT, weights


def _storages():
    from django.conf import settings

    return dict(settings.STORAGES)


def _compressed_size(root: Path, asset: str) -> int:
    """The size WhiteNoise would send: the hashed file's .gz copy, or the file itself
    when compressing it would not help (collectstatic then writes no copy)."""
    folder, name = (root / asset).parent, Path(asset).name
    stem, suffix = name.rsplit(".", 1)
    hashed = [p for p in folder.glob(f"{stem}.*.{suffix}") if p.name.count(".") == 2]
    assert hashed, f"collectstatic wrote no hashed copy of {asset}"
    compressed = hashed[0].with_name(hashed[0].name + ".gz")
    return (compressed if compressed.exists() else hashed[0]).stat().st_size

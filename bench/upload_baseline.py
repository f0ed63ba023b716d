"""The in-process side of ``bench_upload.py``: the same file stored without HTTP, with
and without encryption, step by step. Run by it in a subprocess with the throwaway
site's environment (the portal's settings, its private storage):

    python bench/upload_baseline.py FILE SAMPLE_EVERY REPEAT

Prints one line of JSON: for each step, its times (seconds, one per repetition).

- ``raw_save``: ``storages["private"].save()`` of the file as it is (the baseline
  "without encryption"), its memory sampled like the worker's;
- ``plain_temp``: SHA-256 and one write to a plain temporary file, 1 MB at a time
  (what the upload handler did before issue 23, without the parser);
- ``sealed_temp``: SHA-256 and a ``core.sealed_temp.SealedScratch`` written 1 MB at
  a time (what ``core.uploadhandler`` does now as the bytes arrive);
- ``scratch_read``: the scratch file read back, decrypted, 64 KiB at a time;
- ``scratch_stored``: SHA-256 and a ``SealedScratch`` written 1 MB at a time, then
  stored as it is (``applications.sealed_files.store_scratch``): what a file posted
  with the bid form costs now, from its bytes arriving to its object in storage;
- ``sealed_from_scratch``: ``applications.sealed_files.store_sealed`` from the scratch
  file (what ``applications.uploads.store_upload`` did before ``store_scratch``, and
  still does for a resumable upload: read back, decrypt, encrypt again, store);
- ``sealed_from_file``: ``store_sealed`` from the plain file (encryption to storage,
  no scratch file).
"""

import hashlib
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

MB = 1024 * 1024


def status(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def timed(repeat: int, step) -> list[float]:
    """``step()`` ``repeat`` times; each returns a clean-up callable (or None) run
    outside the time."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        clean_up = step()
        times.append(time.perf_counter() - began)
        if clean_up is not None:
            clean_up()
    return times


def main():
    source, sample_every, repeat = Path(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    django.setup()
    from django.core.files import File
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages
    from nacl.public import PrivateKey

    from applications.sealed_files import store_scratch, store_sealed
    from applications.sealing import chunked
    from core.sealed_temp import SealedScratch

    storage = storages["private"]
    # Warm the storage's client (an S3 session and connection), as the portal's worker
    # is warmed by a small upload before its measurement.
    storage.delete(storage.save(f"baseline/warm-up-{time.time_ns()}", ContentFile(b"warm-up")))
    call_public = bytes(PrivateKey.generate().public_key)  # any call's key costs the same
    scratch_dir = os.environ["TMPDIR"]

    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], status("VmRSS"))
            time.sleep(sample_every)

    sizes = []

    def raw_save():
        with open(source, "rb") as plain:
            name = storage.save(f"baseline/copy-{time.time_ns()}", File(plain))
        sizes.append(storage.size(name))
        return lambda: storage.delete(name)

    before = status("VmRSS")
    sampler = threading.Thread(target=sample)
    sampler.start()
    figures = {"raw_save": timed(repeat, raw_save)}
    done.set()
    sampler.join()
    peak[0] = max(peak[0], status("VmRSS"))
    figures.update(rss_before=before, rss_peak=peak[0], size=sizes[0])

    def plain_temp():
        digest = hashlib.sha256()
        with open(source, "rb") as plain, tempfile.NamedTemporaryFile(dir=scratch_dir) as out:
            while chunk := plain.read(MB):
                digest.update(chunk)
                out.write(chunk)
            out.flush()

    kept = []  # the last scratch file written, read by the next steps

    def scratch_written():
        """SHA-256 and the scratch file, 1 MB at a time, as the upload handler takes them."""
        digest = hashlib.sha256()
        scratch = SealedScratch(dir=scratch_dir)
        with open(source, "rb") as plain:
            while chunk := plain.read(MB):
                digest.update(chunk)
                scratch.write(chunk)
        return scratch, digest

    def sealed_temp():
        scratch, _digest = scratch_written()
        scratch.finish()

        def keep():
            for old in kept:
                old.remove()
            kept[:] = [scratch]

        return keep

    def scratch_stored():
        scratch, digest = scratch_written()
        name, _sealed_key = store_scratch(
            scratch,
            object_name=f"baseline/scratch-{time.time_ns()}",
            call_public_key=call_public,
            bound_to=digest.hexdigest().encode(),
        )
        scratch.remove()
        return lambda: storage.delete(name)

    figures["plain_temp"] = timed(repeat, plain_temp)
    figures["scratch_stored"] = timed(repeat, scratch_stored)
    figures["sealed_temp"] = timed(repeat, sealed_temp)
    scratch = kept[0]

    def scratch_read():
        scratch.seek(0)
        for _chunk in chunked(scratch):
            pass

    def sealed_from(opened):
        def step():
            with opened() as plain:
                name, _sealed_key = store_sealed(
                    plain,
                    object_name=f"baseline/sealed-{time.time_ns()}",
                    call_public_key=call_public,
                )
            return lambda: storage.delete(name)

        return step

    class Unclosed:  # store_sealed reads the scratch; it must stay open for the next round
        def __enter__(self):
            return scratch

        def __exit__(self, *exc):
            scratch.seek(0)

    figures["scratch_read"] = timed(repeat, scratch_read)
    figures["sealed_from_scratch"] = timed(repeat, sealed_from(Unclosed))
    figures["sealed_from_file"] = timed(repeat, sealed_from(lambda: open(source, "rb")))
    scratch.remove()
    figures["medians"] = {
        k: statistics.median(v) for k, v in figures.items() if isinstance(v, list)
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

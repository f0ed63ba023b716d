"""What ``bench_upload.py`` prints: its figures, their ratios, and issue 23's targets
beside them (never asserted: the figures are this machine's).

Imported by ``bench_upload.py`` beside it (``python bench/<script>.py`` puts this
folder on the path).
"""

from upload_support import MB

# Issue 23's targets for the encrypted upload, against the same file stored without
# encryption: printed beside the measured figures.
TARGET_RATIO = 0.9
TARGET_GROWTH_MB = 32


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def report(rows, args) -> None:
    print()
    print(
        f"Upload through the bid form WITH encryption, as the portal now does (gunicorn, "
        f"{args.workers} sync worker(s), DEBUG off; the stored object is ciphertext, "
        "checked below), vs the same file stored WITHOUT encryption by "
        f"storages['private'].save(); private storage: {args.storage}; "
        f"median of {args.repeat}"
    )
    header = (
        f"{'size':>6} | {'sealed s':>8} {'MB/s':>7} {'RSS +MB':>8} {'HWM +MB':>8} | "
        f"{'raw s':>7} {'MB/s':>7} {'RSS +MB':>8} | {'time x':>6} {'RSS x':>6}"
    )
    print(header)
    print("-" * len(header))
    for size, up, _plain, base in rows:
        ratio_mem = (up["growth"] / base["growth"]) if base["growth"] else float("nan")
        print(
            f"{size:>4}MB | {up['seconds']:8.2f} {size / up['seconds']:7.1f} "
            f"{up['growth'] / MB:8.1f} {up['hwm_growth'] / MB:8.1f} | "
            f"{base['seconds']:7.2f} {size / base['seconds']:7.1f} {base['growth'] / MB:8.1f} | "
            f"{up['seconds'] / base['seconds']:6.1f} {ratio_mem:6.1f}"
        )
    print()
    for size, up, _plain, base in rows:
        ratio = base["seconds"] / up["seconds"]
        print(
            f"{size:>4}MB: throughput vs raw save {ratio:.2f}x (encrypted upload "
            f"{size / up['seconds']:.1f} MB/s / unencrypted save {size / base['seconds']:.1f} "
            f"MB/s; target at least {TARGET_RATIO}x: {verdict(ratio >= TARGET_RATIO)})"
        )
    print()
    print(
        "The same bid form WITHOUT encryption (a copy of the site whose call was never "
        "keyed, the upload handler of before issue 23: bench/unsealed_settings.py), "
        "same file, same gunicorn settings:"
    )
    for size, up, plain, _base in rows:
        ratio = plain["seconds"] / up["seconds"]
        print(
            f"{size:>4}MB: throughput vs the same form unencrypted {ratio:.2f}x (encrypted "
            f"{size / up['seconds']:.1f} MB/s, unencrypted {size / plain['seconds']:.1f} MB/s; "
            f"worker RSS +{up['growth'] / MB:.1f} MB vs +{plain['growth'] / MB:.1f} MB; "
            f"target at least {TARGET_RATIO}x: {verdict(ratio >= TARGET_RATIO)})"
        )
    print()
    print(
        "Where the time goes: the storage steps of an upload in-process (no HTTP, no "
        "parser), MB/s, median:"
    )
    head = (
        f"{'size':>6} | {'sha+temp':>8} {'raw save':>8} {'=before':>8} | {'sha+scr':>8} "
        f"{'scr read':>8} {'seal scr':>8} {'=twice':>8} | {'=now':>8} | {'now/bef':>7} | "
        f"{'seal file':>9}"
    )
    print(head)
    print("-" * len(head))
    for size, _up, _plain, base in rows:
        m = base["medians"]
        before = m["plain_temp"] + m["raw_save"]
        twice = m["sealed_temp"] + m["sealed_from_scratch"]
        now = m["scratch_stored"]
        print(
            f"{size:>4}MB | {size / m['plain_temp']:8.0f} {size / m['raw_save']:8.0f} "
            f"{size / before:8.0f} | {size / m['sealed_temp']:8.0f} "
            f"{size / m['scratch_read']:8.0f} {size / m['sealed_from_scratch']:8.0f} "
            f"{size / twice:8.0f} | {size / now:8.0f} | {before / now:6.2f}x | "
            f"{size / m['sealed_from_file']:9.0f}"
        )
    print(
        "  sha+temp: SHA-256 + one plain temporary write (the handler before issue 23; "
        "the most any path that fingerprints the file could reach). =before: that + the "
        "raw save.\n  sha+scr: SHA-256 + the encrypted scratch file (the handler now). "
        "scr read: reading the scratch back, decrypted. seal scr: store_sealed from the "
        "scratch (read back, encrypt again, store). =twice: sha+scr + seal scr (a form upload "
        "before store_scratch; a resumable upload now). =now: SHA-256 + the scratch file "
        "stored as it is (store_scratch).\n  "
        "seal file: store_sealed from the plain file (encryption to storage alone)."
    )
    print()
    for size, up, plain, _base in rows:
        sealed, clear = up["stored"], plain["stored"]
        print(
            f"{size:>4}MB: the encrypted upload is ciphertext in storage: {sealed['object']}, "
            f"{sealed['stored_size']:,} bytes for a {sealed['size']:,}-byte file, starts "
            f"{sealed['head'][:8]} (not %PDF), and decrypts to the file's SHA-256; the "
            f"unencrypted one is the file as sent ({clear['stored_size']:,} bytes, starts %PDF)"
        )
    print()
    for size, up, plain, base in rows:
        print(
            f"{size:>4}MB: worker RSS before {up['rss_before'] / MB:.1f} MB (unencrypted: "
            f"{plain['rss_before'] / MB:.1f} MB), {up['samples']} samples; baseline process "
            f"RSS before {base['rss_before'] / MB:.1f} MB; uploads "
            + ", ".join(f"{t:.2f}" for t in up["times"])
            + " s (unencrypted, in turn: "
            + ", ".join(f"{t:.2f}" for t in plain["times"])
            + " s)"
        )
    print()
    for size, up, _plain, _base in rows:
        growth = max(up["growth"], up["hwm_growth"]) / MB
        print(
            f"{size:>4}MB: encrypted upload's worker memory growth {growth:.1f} MB (the larger "
            f"of RSS +MB and HWM +MB; target at most {TARGET_GROWTH_MB} MB for a 100 MB "
            f"upload: {verdict(growth <= TARGET_GROWTH_MB)})"
        )
    if len(rows) >= 2:
        (small, s_up, _, _), (large, l_up, _, _) = rows[0], rows[-1]
        print(
            f"\nWorker RSS growth: {s_up['growth'] / MB:.1f} MB at {small} MB, "
            f"{l_up['growth'] / MB:.1f} MB at {large} MB "
            f"({large / small:.0f}x the file, "
            f"{(l_up['growth'] + MB) / (s_up['growth'] + MB):.1f}x the memory, "
            "each plus 1 MB)."
        )
    print(
        "RSS +MB: peak VmRSS sampled every 50 ms over the uploads minus VmRSS just before. "
        "HWM +MB: change in VmHWM over them. Times include the loopback transfer."
    )

"""A real SMTP server (aiosmtpd) for bench_fanout.py, in its own process.

    python bench/smtp_sink.py PORT [LOG]

Accepts every message; on SIGTERM prints how many it accepted and how many
distinct Message-IDs, as JSON, and exits. With LOG, it also appends each
message's recipient and Message-ID line to that file as it arrives.
"""

import json
import signal
import sys
import threading

from aiosmtpd.controller import Controller

accepted = []
lock = threading.Lock()


class Counting:
    async def handle_DATA(self, server, session, envelope):
        mid = b""
        for line in envelope.content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                mid = line
                break
            if not line:
                break
        with lock:
            accepted.append(mid)
            if len(sys.argv) > 2:
                with open(sys.argv[2], "ab") as log:
                    log.write(envelope.rcpt_tos[0].encode() + b" " + mid + b"\n")
        return "250 OK"


def main():
    controller = Controller(Counting(), hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print("ready", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    done.wait()
    controller.stop()
    with lock:
        print(json.dumps({"accepted": len(accepted), "distinct": len(set(accepted))}), flush=True)


if __name__ == "__main__":
    main()

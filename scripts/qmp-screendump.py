#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Save what the guest's display shows as a PNG, over QEMU's QMP socket.

usage: qmp-screendump.py QMP_SOCKET OUT.png
"""
import json
import socket
import sys


def command(f, sock, name, **args):
    sock.sendall(json.dumps({"execute": name, "arguments": args}).encode() + b"\n")
    while True:
        reply = json.loads(f.readline())
        if "return" in reply or "error" in reply:
            return reply


def main():
    path, out = sys.argv[1:3]
    sock = socket.socket(socket.AF_UNIX)
    sock.settimeout(30)
    sock.connect(path)
    f = sock.makefile("r")
    json.loads(f.readline())  # greeting
    command(f, sock, "qmp_capabilities")
    reply = command(f, sock, "screendump", filename=out, format="png")
    if "error" in reply:
        print(f"screendump failed: {reply['error']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

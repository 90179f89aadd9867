#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare what the guest's display shows with what a test expects.

A guest test sent "@SCREEN PROG NAME CRC W H" (tests/igt/lib/screen.c): the
CRC-32 of the W x H top-left area as 8-bit RGB. Capture the screen over QMP as
PPM, compare, retry a few times (the guest may still be mid-modeset), save the
last capture as OUTDIR/NAME.png for humans, and print one result record.

usage: screen-check.py QMP_SOCKET OUTDIR PROG NAME CRC W H
"""
import json
import os
import socket
import sys
import time
import zlib


def qmp(path, **args):
    sock = socket.socket(socket.AF_UNIX)
    sock.settimeout(30)
    sock.connect(path)
    f = sock.makefile("r")
    json.loads(f.readline())
    for cmd in ({"execute": "qmp_capabilities"}, {"execute": "screendump", "arguments": args}):
        sock.sendall(json.dumps(cmd).encode() + b"\n")
        while True:
            reply = json.loads(f.readline())
            if "return" in reply or "error" in reply:
                break
    sock.close()
    if "error" in reply:
        raise RuntimeError(reply["error"].get("desc", reply["error"]))


def read_ppm(path):
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval; comments skipped
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError(f"unexpected PPM header {fields}")
    return int(fields[1]), int(fields[2]), data[pos + 1:]


def main():
    sock, outdir, prog, name, crc, w, h = sys.argv[1:8]
    want, w, h = int(crc, 16), int(w), int(h)
    ppm = os.path.join(outdir, f"{name}.ppm")
    detail = ""
    for attempt in range(5):
        try:
            qmp(sock, filename=ppm)
            sw, sh, pix = read_ppm(ppm)
            if sw < w or sh < h:
                detail = f"screen is {sw}x{sh}, smaller than the expected {w}x{h}"
            else:
                got = 0
                for y in range(h):
                    got = zlib.crc32(pix[y * sw * 3:(y * sw + w) * 3], got)
                if got == want:
                    detail = ""
                    break
                detail = f"crc {got:08x} != expected {want:08x} over {w}x{h} (screen {sw}x{sh})"
        except (OSError, ValueError, RuntimeError) as e:
            detail = f"capture failed: {e}"
        time.sleep(0.7)
    try:
        qmp(sock, filename=os.path.join(outdir, f"{name}.png"), format="png")
    except (OSError, RuntimeError):
        pass
    if detail:
        print(f"@RESULT {prog} screen-{name} FAIL")
        print(f"@DETAIL {prog} screen-{name} {detail}; the capture is {outdir}/{name}.png")
    else:
        print(f"@RESULT {prog} screen-{name} SUCCESS")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Draws Postern's icons (an envelope under a gate arch) as PNGs with only
the standard library. Run from anywhere: python3 public/icons/generate.py"""
import os
import struct
import zlib

BLUE = (31, 78, 140)
WHITE = (255, 255, 255)
LIGHT = (200, 216, 240)


def png(path, size, pixels):
    raw = b"".join(b"\x00" + bytes(v for px in row for v in px) for row in pixels)

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def draw(size, maskable):
    s = size
    # Maskable icons keep the glyph inside the central 80 % safe zone.
    scale = 0.62 if maskable else 0.78
    radius = 0 if maskable else s * 0.18
    px = []
    for y in range(s):
        row = []
        for x in range(s):
            # Rounded square background (full bleed when maskable).
            inside = True
            if radius:
                cx = min(max(x, radius), s - 1 - radius)
                cy = min(max(y, radius), s - 1 - radius)
                inside = (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2
            if not inside:
                row.append((0, 0, 0, 0))
                continue
            color = BLUE
            # Glyph coordinates in [-1, 1].
            u = (x - s / 2) / (s * scale / 2)
            v = (y - s / 2) / (s * scale / 2)
            # Gate arch: a ring segment above the envelope.
            r = (u * u + (v + 0.05) ** 2) ** 0.5
            if v < -0.05 and 0.78 <= r <= 0.95:
                color = LIGHT
            # Envelope body.
            if -0.62 <= u <= 0.62 and -0.1 <= v <= 0.62:
                color = WHITE
                # Flap: a V from the top corners to the centre.
                flap = (0.62 - abs(u)) * 0.75 - 0.1
                if abs(v - flap) < 0.055:
                    color = BLUE
                if abs(u) > 0.58 or v > 0.58 or v < -0.06:
                    color = WHITE
            row.append(color + (255,))
        px.append(row)
    return px


here = os.path.dirname(os.path.abspath(__file__))
for size in (192, 512):
    png(os.path.join(here, f"icon-{size}.png"), size, draw(size, False))
    png(os.path.join(here, f"maskable-{size}.png"), size, draw(size, True))

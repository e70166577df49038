#!/usr/bin/env bash
# Renders an SVG or HTML file with headless Chromium and fails if the screenshot is missing or blank.
#
# Usage: .ci/render-check.sh FILE [OUT.png] [WIDTH,HEIGHT]
#   FILE          the .svg or .html file to render
#   OUT.png       where the screenshot goes (default: $TMPDIR/render-check-NAME.png)
#   WIDTH,HEIGHT  the window size (default: 900,700)
#
# "Blank" means fewer than 8 distinct colours, or under 0.2 % of the pixels differing from the most
# common (background) colour. The PNG is decoded with the Python standard library (zlib), so the
# check needs only python3 and Debian's chromium (apt-get install -y chromium).
# Exit status: 0 rendered and not blank, 1 missing or blank screenshot, 2 bad usage or no browser.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
    echo "usage: $0 FILE [OUT.png] [WIDTH,HEIGHT]" >&2
    exit 2
fi
file=$1
out=${2:-${TMPDIR:-/tmp}/render-check-$(basename "$file").png}
size=${3:-900,700}

if [ ! -f "$file" ]; then
    echo "render-check: $file: no such file" >&2
    exit 2
fi
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
    echo "render-check: no chromium found; install it with: apt-get install -y chromium" >&2
    exit 2
fi

url="file://$(cd "$(dirname "$file")" && pwd)/$(basename "$file")"
rm -f "$out"
# Chromium's own messages (D-Bus, GPU) are noise here; the screenshot is the result.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --screenshot="$out" --window-size="$size" "$url" >/dev/null 2>&1 || true

if [ ! -s "$out" ]; then
    echo "render-check: $file: chromium wrote no screenshot to $out" >&2
    exit 1
fi

python3 - "$file" "$out" <<'PY'
import struct, sys, zlib
from collections import Counter

source, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(f"render-check: {source}: {path} is not a PNG")
pos, idat, header = 8, [], None
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        header = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat.append(body)
    pos += 12 + length
width, height, depth, colour, _, _, interlace = header
channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
if depth != 8 or channels is None or interlace != 0:
    sys.exit(f"render-check: {source}: unsupported PNG (bit depth {depth}, colour type {colour}, interlace {interlace})")

raw = zlib.decompress(b"".join(idat))
stride = width * channels
previous = bytearray(stride)
counts = Counter()
for row in range(height):
    start = row * (stride + 1)
    kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
    for i in range(stride):
        left = line[i - channels] if i >= channels else 0
        up = previous[i]
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
        elif kind == 4:
            upper_left = previous[i - channels] if i >= channels else 0
            p = left + up - upper_left
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
            predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else upper_left)
            line[i] = (line[i] + predictor) & 0xFF
    counts.update(bytes(line[i:i + channels]) for i in range(0, stride, channels))
    previous = line

pixels = width * height
background, background_count = counts.most_common(1)[0]
ink = 1 - background_count / pixels
summary = f"{source}: {width}×{height}, {len(counts)} colours, {100 * ink:.1f} % non-background"
if len(counts) < 8 or ink < 0.002:
    sys.exit(f"render-check: {summary}: the screenshot is blank")
print(f"render-check: {summary}: OK ({path})")
PY

"""Benchmark: processing 12-megapixel phone photos (issue 11): photos/s, peak memory, bytes before/after.

Each scenario runs in a fresh child process. Peak memory is the process's
peak resident set (Linux ``VmHWM``, reset before each photo): "peak MB" is the
whole process (interpreter, libraries, the source bytes), "+photo MB" what
processing one photo added on top. Pillow allocates pixels outside Python's
heap, so tracemalloc would not see them; the resident set does.

    .venv/bin/python -m benchmarks.photos               # 6 JPEGs, 2 HEICs
    .venv/bin/python -m benchmarks.photos --photos 20 --heic 0

Scenarios:
  jpeg        12 MP phone JPEGs (EXIF orientation 6 + GPS) through bridge.photos.process
  jpeg-naive  the same photos the naive way: full decode, exif_transpose, resize, save
  heic        12 MP iPhone-style HEIC through bridge.photos.process
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 4000, 3000  # 12 megapixels, a common phone camera


def phone_photo(seed: int, fmt: str = "JPEG") -> bytes:
    """A photo-like 12 MP image (gradients, shapes and sensor noise), with EXIF orientation and GPS."""
    from PIL import Image, ImageDraw, ImageFilter

    from tests.images import phone_exif

    rx = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    gy = Image.radial_gradient("L").resize((WIDTH, HEIGHT))
    noise = Image.effect_noise((WIDTH, HEIGHT), 40 + seed)
    img = Image.merge("RGB", (rx, gy, noise.filter(ImageFilter.GaussianBlur(1))))
    draw = ImageDraw.Draw(img)
    for i in range(40):
        x, y = (seed * 97 + i * 389) % WIDTH, (seed * 53 + i * 211) % HEIGHT
        draw.ellipse((x, y, x + 300, y + 200), fill=((i * 37) % 255, (i * 91) % 255, (i * 53) % 255))
    grain = Image.effect_noise((WIDTH, HEIGHT), 12).convert("RGB")
    img = Image.blend(img, grain, 0.3)
    out = io.BytesIO()
    if fmt == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
        img.save(out, "HEIF", quality=85, exif=phone_exif(6).tobytes())
    else:
        img.save(out, "JPEG", quality=95, exif=phone_exif(6))
    return out.getvalue()


CHILD = r"""
import json, sys, time
from pathlib import Path

def peak_kb():
    # VmHWM: this process's peak resident memory (ru_maxrss would include the parent's, kept across exec).
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

def reset_peak():
    with open("/proc/self/clear_refs", "w") as fh:  # Linux: "5" resets VmHWM to the current RSS
        fh.write("5")

from bridge.photos.process import Options, process
mode, files = sys.argv[1], sys.argv[2:]
def naive(data, opts):
    import io
    from PIL import Image, ImageOps
    img = Image.open(io.BytesIO(data)); img.load()
    img = ImageOps.exif_transpose(img).convert("RGB")
    img.thumbnail((opts.max_side, opts.max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO(); img.save(out, "JPEG", quality=opts.quality, optimize=True); return out.getvalue()
opts = Options()
process(Path(files[0]).read_bytes(), opts)  # warm up: imports and codec set-up are not per photo
results = []
for f in files:
    data = Path(f).read_bytes()
    reset_peak()
    base = peak_kb()
    t = time.perf_counter()
    out = naive(data, opts) if mode == "naive" else process(data, opts)[1].content
    seconds = time.perf_counter() - t
    results.append({"seconds": seconds, "before": len(data), "after": len(out), "base_kb": base, "peak_kb": peak_kb()})
    del data, out
print(json.dumps({"results": results}))
"""


def run_child(mode: str, files: list[Path]) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", CHILD, mode, *map(str, files)], capture_output=True, text=True, env=env, check=True)
    return dict(json.loads(out.stdout))


def summary(name: str, data: dict[str, object]) -> dict[str, object]:
    results = list(data["results"])  # type: ignore[call-overload]
    seconds = [float(r["seconds"]) for r in results]
    before = sum(int(r["before"]) for r in results) / len(results)
    after = sum(int(r["after"]) for r in results) / len(results)
    return {
        "scenario": name,
        "photos": len(results),
        "photos_per_s": len(results) / sum(seconds),
        "worst_s": max(seconds),
        "peak_mb": max(int(r["peak_kb"]) for r in results) / 1024,
        "extra_mb": max(int(r["peak_kb"]) - int(r["base_kb"]) for r in results) / 1024,
        "before_mb": before / 1_000_000,
        "after_kb": after / 1000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=6, help="12 MP JPEGs per scenario")
    parser.add_argument("--heic", type=int, default=2, help="12 MP HEICs (0 = skip)")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        jpegs = []
        for i in range(args.photos):
            path = Path(tmp) / f"p{i}.jpg"
            path.write_bytes(phone_photo(i))
            jpegs.append(path)
        rows.append(summary("jpeg", run_child("bridge", jpegs)))
        rows.append(summary("jpeg-naive", run_child("naive", jpegs)))
        if args.heic:
            heics = []
            for i in range(args.heic):
                path = Path(tmp) / f"p{i}.heic"
                path.write_bytes(phone_photo(i, "HEIF"))
                heics.append(path)
            rows.append(summary("heic", run_child("bridge", heics)))
    print(f"{'scenario':<11} {'photos':>6} {'photos/s':>9} {'worst s':>8} {'peak MB':>8} {'+photo MB':>9} {'before MB':>10} {'after kB':>9}")
    for r in rows:
        print(
            f"{r['scenario']:<11} {r['photos']:>6} {r['photos_per_s']:>9.2f} {r['worst_s']:>8.3f} {r['peak_mb']:>8.0f} "
            f"{r['extra_mb']:>9.0f} {r['before_mb']:>10.2f} {r['after_kb']:>9.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

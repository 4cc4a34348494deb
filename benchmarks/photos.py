"""Benchmark: processing 12-megapixel phone photos (issue 11): photos/s, peak memory, bytes before/after.

Each scenario runs in a fresh child process. Peak memory is the process's
peak resident set (Linux ``VmHWM``, reset before each photo): "peak MB" is the
whole process (interpreter, libraries, the source bytes), "+photo MB" what
processing one photo added on top. Pillow allocates pixels outside Python's
heap, so tracemalloc would not see them; the resident set does.

    .venv/bin/python -m benchmarks.photos               # 6 JPEGs, 2 HEICs, the hostile set
    .venv/bin/python -m benchmarks.photos --photos 20 --heic 0
    .venv/bin/python -m benchmarks.photos --photos 0 --heic 0 --hostile-naive   # the hostile set, also decoded the naive way

Scenarios:
  jpeg        12 MP phone JPEGs (EXIF orientation 6 + GPS) through bridge.photos.process
  jpeg-naive  the same photos the naive way: full decode, exif_transpose, resize, save
  heic        12 MP iPhone-style HEIC through bridge.photos.process
  hostile     issue 18: a 26-byte WebP and a 190 kB RGBA PNG of 7000 x 7000, an animated WebP
              (30 frames of 1000 x 1000), a 50 MP JPEG, and an RGBA PNG of 3500 x 3500 (47 MiB
              decoded, just under the default budget); the child imports the whole bridge first
              (bridge.cycle.pipeline, Google's clients), so "peak MB" is what the service would reach
  hostile-naive  the same files decoded in full (the processing before issue 18), with --hostile-naive
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

mode, files = sys.argv[1], sys.argv[2:]
if mode.startswith("hostile"):
    import bridge.cycle.pipeline  # noqa: F401 - the service's libraries are resident too
from bridge.photos.process import Options, PhotoProblem, process
def naive(data, opts):
    import io
    from PIL import Image, ImageOps
    img = Image.open(io.BytesIO(data)); img.load()
    img = ImageOps.exif_transpose(img).convert("RGB")
    img.thumbnail((opts.max_side, opts.max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO(); img.save(out, "JPEG", quality=opts.quality, optimize=True); return out.getvalue()
opts = Options()
if mode.startswith("hostile"):
    from tests.images import jpeg
    process(jpeg(), opts)  # warm up on a small photo: the hostile files may be refused
else:
    process(Path(files[0]).read_bytes(), opts)  # warm up: imports and codec set-up are not per photo
results = []
for f in files:
    data = Path(f).read_bytes()
    reset_peak()
    base = peak_kb()
    t = time.perf_counter()
    outcome = "processed"
    try:
        out = naive(data, opts) if mode in ("naive", "hostile-naive") else process(data, opts)[1].content
    except PhotoProblem as exc:
        out, outcome = b"", f"refused: {exc.code}"
    except Exception as exc:  # the naive way on a crafted file
        out, outcome = b"", f"failed: {type(exc).__name__}"
    seconds = time.perf_counter() - t
    results.append({"name": Path(f).name, "outcome": outcome, "seconds": seconds, "before": len(data), "after": len(out),
                    "base_kb": base, "peak_kb": peak_kb()})
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


def hostile_files(folder: Path) -> list[Path]:
    """Issue 18's hostile set, written to ``folder``: tiny files that decode huge, and a 50 MP camera JPEG."""
    from PIL import Image

    from tests import images

    made = {
        "webp-7000x7000.webp": images.webp_bomb(7000, 7000),
        "png-rgba-7000x7000.png": images.png_bomb(7000, 7000),
        "webp-animated-30x1000x1000.webp": images.animated_webp(1000, 1000, 30),
        "png-rgba-3500x3500.png": images.png_bomb(3500, 3500),  # 47 MiB decoded: accepted, just under the default budget
    }
    width, height = 8660, 5773  # 50 MP, as a high-resolution phone mode or a DSLR writes
    big = Image.merge("RGB", [Image.linear_gradient("L").resize((width, height)), Image.radial_gradient("L").resize((width, height)),
                              Image.effect_noise((width, height), 30)])
    out = __import__("io").BytesIO()
    big.save(out, "JPEG", quality=90)
    del big
    made["jpeg-50mp.jpg"] = out.getvalue()
    paths = []
    for name, data in made.items():
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def hostile_table(mode: str, data: dict[str, object]) -> None:
    print(f"\n{mode}: {'file':<34} {'bytes':>10} {'outcome':<26} {'seconds':>8} {'peak MB':>8} {'+photo MB':>9}")
    for r in list(data["results"]):  # type: ignore[call-overload]
        print(f"{'':<{len(mode) + 1}} {r['name']:<34} {r['before']:>10,} {r['outcome']:<26} {r['seconds']:>8.3f} "
              f"{int(r['peak_kb']) / 1024:>8.0f} {(int(r['peak_kb']) - int(r['base_kb'])) / 1024:>9.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=6, help="12 MP JPEGs per scenario")
    parser.add_argument("--heic", type=int, default=2, help="12 MP HEICs (0 = skip)")
    parser.add_argument("--no-hostile", action="store_true", help="skip issue 18's hostile set")
    parser.add_argument("--hostile-naive", action="store_true", help="also decode the hostile set the naive way (needs about 1 GB)")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_hostile:
            hostile = hostile_files(Path(tmp))
            hostile_table("hostile", run_child("hostile", hostile))
            if args.hostile_naive:
                hostile_table("hostile-naive", run_child("hostile-naive", hostile))
        if not args.photos:
            return 0
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

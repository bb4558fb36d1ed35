"""Turn a born-digital page into what a scanner or fax machine would make of it.

The page is rendered at 300 dpi by poppler's pdftoppm, then tilted a little, given uneven paper tone,
grey toner, optical blur and dust specks. Noise comes from a seeded generator, so the same page and
seed always give the same PNG. Speckles rather than per-pixel grain keep the PNG small enough to commit.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

SCAN_DPI = 300


def render_page(pdf: bytes, dpi: int = SCAN_DPI, page: int = 1) -> Image.Image:
    """One page of a PDF as a greyscale image, rendered by pdftoppm (Debian poppler-utils)."""
    if shutil.which("pdftoppm") is None:
        raise RuntimeError("pdftoppm not found: install the Debian package poppler-utils")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "page.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", "-f", str(page), "-l", str(page),
             str(source), str(Path(tmp) / "page")],
            check=True,
            capture_output=True,
            timeout=120,
        )
        with Image.open(Path(tmp) / "page.png") as image:
            return image.convert("L")


def degrade(image: Image.Image, seed: int) -> Image.Image:
    """Tilt by 0.5–1.5°, soften, grey the toner, shade the paper, sprinkle dust."""
    rng = np.random.default_rng(seed)
    angle = float(rng.uniform(0.5, 1.5) * rng.choice([-1.0, 1.0]))
    tilted = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    soft = tilted.filter(ImageFilter.GaussianBlur(radius=0.7))
    pixels = np.asarray(soft, dtype=np.float32) / 255.0
    height, width = pixels.shape
    # Paper is never white and toner never black; a scanner lid leaves one side a little darker.
    shade = np.linspace(0.0, float(rng.uniform(8, 16)), width, dtype=np.float32)[None, :]
    tone = 22 + pixels * (236 - 22) - shade
    specks = rng.random((height, width)) < 0.0004
    tone[specks] = rng.uniform(40, 120, int(specks.sum()))
    # Quantising to 64 grey levels mimics cheap scanners and keeps the PNG compressible.
    levels = np.clip(np.round(tone / 4) * 4, 0, 255).astype(np.uint8)
    return Image.fromarray(levels, mode="L")


def scan_pdf(pdf: bytes, seed: int, dpi: int = SCAN_DPI) -> bytes:
    """The first page of `pdf` as a noisy, tilted 300 dpi greyscale PNG (dpi recorded in the file)."""
    image = degrade(render_page(pdf, dpi), seed)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi), optimize=True)
    return buffer.getvalue()

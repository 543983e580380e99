"""How long maps take: a municipality of N districts with outlines of P points each.

    .venv/bin/python benchmarks/maps.py [--districts 40] [--points 400] [--maps 24]

Builds the choropleth of ``--maps`` indicators (model, SVG and PDF drawing rendered into
one PDF) and prints CPU and wall time per map. The outlines are synthetic: a grid of
districts whose shared borders wiggle, as real ones do. No database is used.
"""

from __future__ import annotations

import argparse
import io
import math
import random
import time

from flask import Flask
from flask_babel import Babel
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

from survey.maps import choropleth, drawing, svg
from survey.pdf.fonts import fonts


def _edge(a, b, points, rnd_seed):
    rnd = random.Random(rnd_seed)
    phase = rnd.uniform(0, 6.3)
    (x1, y1), (x2, y2) = a, b
    found = []
    for i in range(points):
        t = i / points
        wobble = 0.15 * math.sin(2 * math.pi * t * 3 + phase) * math.sin(math.pi * t)
        found.append(
            (x1 + (x2 - x1) * t + wobble * (y2 - y1), y1 + (y2 - y1) * t - wobble * (x2 - x1))
        )
    return found


def grid(districts: int, points: int) -> dict:
    side = math.ceil(math.sqrt(districts))
    step = 0.01
    per_edge = max(1, points // 4)
    edges = {}

    def edge(a, b):
        key = (a, b) if a < b else (b, a)
        if key not in edges:
            edges[key] = _edge(key[0], key[1], per_edge, hash(key) & 0xFFFF)
        return edges[key] if key == (a, b) else list(reversed(edges[key][1:])) + [edges[key][0]]

    shapes = {}
    for n in range(districts):
        i, j = divmod(n, side)
        corners = [(7 + j * step, 51.4 + i * step), (7 + (j + 1) * step, 51.4 + i * step),
                   (7 + (j + 1) * step, 51.4 + (i + 1) * step), (7 + j * step, 51.4 + (i + 1) * step)]  # fmt: skip
        ring = []
        for k in range(4):
            a, b = corners[k], corners[(k + 1) % 4]
            ring += edge((round(a[0], 6), round(a[1], 6)), (round(b[0], 6), round(b[1], 6)))
        ring.append(ring[0])
        shapes[f"Bezirk {n + 1}"] = ((tuple(ring),),)
    return shapes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--districts", type=int, default=40)
    parser.add_argument("--points", type=int, default=400)
    parser.add_argument("--maps", type=int, default=24)
    args = parser.parse_args()
    shapes = grid(args.districts, args.points)
    rnd = random.Random(1)
    app = Flask("bench")
    Babel(app)
    with app.app_context():
        fonts()
        cpu, wall = time.process_time(), time.perf_counter()
        charts = []
        for _ in range(args.maps):
            names = list(shapes)
            suppressed = set(rnd.sample(names, len(names) // 5))
            shares = {n: round(rnd.uniform(0, 100), 1) for n in names if n not in suppressed}
            charts.append(choropleth.build("Karte", shapes, shares, suppressed, 5))
        model_cpu = time.process_time() - cpu
        cpu2 = time.process_time()
        markup = [str(svg.render(c, f"k{i}")) for i, c in enumerate(charts)]
        svg_cpu = time.process_time() - cpu2
        cpu3 = time.process_time()
        out = io.BytesIO()
        doc = SimpleDocTemplate(out, pagesize=A4, initialFontName=fonts().latin.name)
        doc.build([drawing.drawing(c, 238) for c in charts])
        pdf_cpu = time.process_time() - cpu3
        total_wall = time.perf_counter() - wall
    print(f"{args.districts} districts x {args.points} points, {args.maps} maps")
    print(
        f"model (projection, thinning, label points): {model_cpu / args.maps * 1000:.1f} ms CPU per map"
    )
    print(
        f"SVG: {svg_cpu / args.maps * 1000:.1f} ms CPU per map, {sum(map(len, markup)) / args.maps / 1024:.0f} KB per map"
    )
    print(
        f"PDF: {pdf_cpu / args.maps * 1000:.1f} ms CPU per map, {len(out.getvalue()) / 1024:.0f} KB in all"
    )
    print(f"wall time in all: {total_wall:.2f} s")


if __name__ == "__main__":
    main()

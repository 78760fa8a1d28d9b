#!/usr/bin/env python3
"""Turns Natural Earth country outlines (as TopoJSON from the npm package
world-atlas) into the simplified Nordic outlines the committee page draws.

Usage: python3 convert.py path/to/world-atlas/countries-50m.json > outlines.tsv
       python3 convert.py --neighbours path/to/countries-50m.json > neighbours.tsv

Each line of outlines.tsv is: ISO code, label x, label y, SVG path data; each
line of neighbours.tsv (the land around them, drawn for context and clipped to
the frame) is: ISO code, SVG path data. Coordinates are in the map's own frame
(see WIDTH and HEIGHT). Only the standard library is used, so the output is
the same wherever the script runs.
"""

import json
import math
import sys

# ISO 3166-1 numeric id in the data -> the alpha-2 code the society uses.
# Åland is drawn with Finland and the Faroe Islands with Denmark, as parts of them.
COUNTRIES = {
    "352": "IS", "578": "NO", "752": "SE", "246": "FI", "248": "FI",
    "208": "DK", "234": "DK", "233": "EE",
}
# The neighbours drawn around them (ISO numeric id -> alpha-2): the land
# that reaches into the frame.
NEIGHBOURS = {
    "643": "RU", "428": "LV", "440": "LT", "112": "BY", "616": "PL",
    "276": "DE", "826": "GB", "372": "IE", "304": "GL", "528": "NL",
}
# Where each country's flag and count go (longitude, latitude), chosen by
# hand so that the label sits on land and clear of its neighbours.
LABELS = {
    "IS": (-18.6, 64.9), "NO": (9.0, 61.6), "SE": (15.6, 63.2),
    "FI": (26.4, 63.6), "DK": (9.2, 56.1), "EE": (25.8, 58.7),
}
# The frame: longitudes and latitudes shown, and the output size.
WEST, EAST, SOUTH, NORTH = -25.0, 32.5, 53.8, 71.6
WIDTH = 400.0
LAT0 = math.radians(63.0)  # equirectangular, true to scale at 63°N
HEIGHT = round(WIDTH * (NORTH - SOUTH) / ((EAST - WEST) * math.cos(LAT0)), 1)
TOLERANCE = 0.6  # Douglas-Peucker tolerance, in output units
MIN_AREA = 2.0  # rings smaller than this (in square output units) are dropped


def project(lon, lat):
    x = (lon - WEST) / (EAST - WEST) * WIDTH
    y = (NORTH - lat) / (NORTH - SOUTH) * HEIGHT
    return (x, y)


def decode_arcs(topo):
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs, indices):
    points = []
    for i in indices:
        arc = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        points.extend(arc if not points else arc[1:])
    return points


def simplify(points, tolerance):
    if len(points) < 3:
        return points
    (ax, ay), (bx, by) = points[0], points[-1]
    length = math.hypot(bx - ax, by - ay)
    worst, at = 0.0, 0
    for i in range(1, len(points) - 1):
        px, py = points[i]
        if length == 0:
            d = math.hypot(px - ax, py - ay)
        else:
            d = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
        if d > worst:
            worst, at = d, i
    if worst <= tolerance:
        return [points[0], points[-1]]
    return simplify(points[: at + 1], tolerance)[:-1] + simplify(points[at:], tolerance)


def area(points):
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]))) / 2


def clip(points):
    """The polygon cut to the frame (Sutherland-Hodgman, one edge at a time)."""
    edges = [
        (lambda p: p[0] >= 0, lambda a, b: cross_x(a, b, 0)),
        (lambda p: p[0] <= WIDTH, lambda a, b: cross_x(a, b, WIDTH)),
        (lambda p: p[1] >= 0, lambda a, b: cross_y(a, b, 0)),
        (lambda p: p[1] <= HEIGHT, lambda a, b: cross_y(a, b, HEIGHT)),
    ]
    for inside, cut in edges:
        if not points:
            break
        out = []
        for i, b in enumerate(points):
            a = points[i - 1]
            if inside(b):
                if not inside(a):
                    out.append(cut(a, b))
                out.append(b)
            elif inside(a):
                out.append(cut(a, b))
        points = out
    return points


def cross_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def cross_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def polygons(topo, codes):
    """Each polygon of the countries that `codes` names, with its code."""
    for geometry in topo["objects"]["countries"]["geometries"]:
        code = codes.get(geometry.get("id"))
        if code is None:
            continue
        multi = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in multi:
            yield code, polygon


def neighbours(topo):
    arcs = decode_arcs(topo)
    paths = {}
    for code, polygon in polygons(topo, NEIGHBOURS):
        # The outer ring only: the lakes inside them are too small to draw.
        lonlat = ring(arcs, polygon[0])
        # Points far outside are pulled in to a margin around the frame
        # first: the shape inside is the same, and a ring that spans the
        # globe (Russia's reaches 180°) cannot fold back across the frame.
        # Russia's ring crosses the antimeridian: its far east, at
        # -180° to -169°, is taken as 180° to 191°, where it belongs.
        pulled = [
            (min(max(lon + 360 if lon < -100 else lon, WEST - 5), EAST + 5),
             min(max(lat, SOUTH - 2), NORTH + 2))
            for lon, lat in lonlat
        ]
        points = clip([project(lon, lat) for lon, lat in pulled])
        if len(points) < 3:
            continue
        points = simplify(points + points[:1], TOLERANCE)
        if len(points) < 4 or area(points[:-1]) < MIN_AREA:
            continue
        d = "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points[:-1]) + "Z"
        paths.setdefault(code, []).append(d)
    print(f"# Neighbouring land from Natural Earth (public domain) via world-atlas, clipped to the frame {WIDTH:g} x {HEIGHT:g}")
    for code in sorted(paths):
        print(f"{code}\t{''.join(paths[code])}")


def main():
    if sys.argv[1] == "--neighbours":
        neighbours(json.load(open(sys.argv[2], encoding="utf-8")))
        return
    topo = json.load(open(sys.argv[1], encoding="utf-8"))
    arcs = decode_arcs(topo)
    paths = {}
    for code, polygon in polygons(topo, COUNTRIES):
        for indices in polygon:
            lonlat = ring(arcs, indices)
            # Svalbard and Jan Mayen lie outside the frame; leave them out.
            if not all(WEST <= lon <= EAST and SOUTH <= lat <= NORTH for lon, lat in lonlat):
                continue
            points = simplify([project(lon, lat) for lon, lat in lonlat], TOLERANCE)
            if len(points) < 4 or area(points) < MIN_AREA:
                continue
            d = "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points[:-1]) + "Z"
            paths.setdefault(code, []).append(d)
    print(f"# Nordic outlines from Natural Earth (public domain) via world-atlas; frame {WIDTH:g} x {HEIGHT:g}")
    for code in sorted(paths):
        x, y = project(*LABELS[code])
        print(f"{code}\t{x:.1f}\t{y:.1f}\t{''.join(paths[code])}")


if __name__ == "__main__":
    main()

"""Maps of the Sozialraum: district outlines drawn by the project, as SVG and as PDF vectors.

No tiles and no network: the outlines come from a GeoJSON file imported with the places
(``survey places import-geo``), are projected here (``projection``), classed into a
choropleth (``choropleth``) and drawn by one renderer per medium (``svg``, ``drawing``).
This package imports no feature: what it is given is names, outlines and published
shares, so it cannot show a figure the report engine suppressed.
"""

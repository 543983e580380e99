"""The PDF toolkit every printed thing uses: fonts, multilingual text, QR codes, pages.

A package of its own that no feature owns: flyers, printed questionnaires and
reports import it, and it imports none of them (an import-linter contract says so).
"""

# -*- coding: latin-1 -*-
"""Contrôles hérités (latin-1)."""

from medapp.utils import slugify


def test_accents_are_dropped():
    assert slugify("Dispositif médical") == "dispositif-m-dical"

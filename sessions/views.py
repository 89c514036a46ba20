"""Session views (thin: parse with a form, call heroweb.base, render a page or partial)."""

from __future__ import annotations

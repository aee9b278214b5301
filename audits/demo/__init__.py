"""The demo partnership: invented, modelled on the 2018/19 annual report in shared/reference.

Severnvale is a made-up county. Every agency, person and case here is invented; case references are
pseudonymous codes. Building it twice changes nothing: rows are found by their natural keys and only
created when missing, and the generated values come from fixed seeds.
"""

from __future__ import annotations

from audits.demo.build import build_demo
from audits.demo.data import DEMO_PASSWORD, USERS

__all__ = ["DEMO_PASSWORD", "USERS", "build_demo"]

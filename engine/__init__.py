"""The pure computation core: architectures, parameter accounting, units.

No I/O, no UI, no network: everything here is a function of its arguments.
"""

from __future__ import annotations

from paramtui.engine.architecture import Architecture, LinearAttentionSpec, MlaSpec, MoeSpec
from paramtui.engine.importer import ConfigError, ImportResult, import_config
from paramtui.engine.params import COMPONENTS, Component, ParamBreakdown, count_params, flops_per_token

__all__ = [
    "COMPONENTS",
    "Architecture",
    "Component",
    "ConfigError",
    "ImportResult",
    "LinearAttentionSpec",
    "MlaSpec",
    "MoeSpec",
    "ParamBreakdown",
    "count_params",
    "flops_per_token",
    "import_config",
]

"""Live slider panels (the only part of optlab that imports ipywidgets)."""

from ._base import Control, Panel
from .trajectory import comparison_panel, schedule_panel, sgd_panel, trajectory_panel

__all__ = ["trajectory_panel", "sgd_panel", "comparison_panel", "schedule_panel", "Panel", "Control"]

"""Live slider panels (the only part of optlab that imports ipywidgets)."""

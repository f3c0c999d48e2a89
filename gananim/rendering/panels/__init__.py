"""Panels by name. Each is a small plug-in: it creates its artists once and updates them in place."""
from gananim.rendering.panels.curves import Curves
from gananim.rendering.panels.features import Features
from gananim.rendering.panels.gradients import Gradients
from gananim.rendering.panels.heatmaps import LatentField, SampleField
from gananim.rendering.panels.images import Classes, DigitGrid, Interpolation, Score
from gananim.rendering.panels.line1d import Line1D
from gananim.rendering.panels.manifold import Manifold
from gananim.rendering.panels.mode_bars import ModeBars
from gananim.rendering.panels.quality import Quality
from gananim.rendering.panels.samples import Samples
from gananim.rendering.panels.trajectory import DMeans, WeightBias

PANELS = {"curves": Curves, "samples": Samples, "latent_field": LatentField, "sample_field": SampleField,
          "line1d": Line1D, "weight_bias": WeightBias, "d_means": DMeans, "features": Features,
          "manifold": Manifold, "gradients": Gradients, "metrics": Quality, "digit_grid": DigitGrid,
          "interpolation": Interpolation, "classes": Classes, "fid": Score, "mode_bars": ModeBars}

"""Panels by name. Each is a small plug-in: it creates its artists once and updates them in place."""
from .curves import Curves
from .features import Features
from .gradients import Gradients
from .heatmaps import LatentField, SampleField
from .images import Classes, DigitGrid, Interpolation, Score
from .line1d import Line1D
from .manifold import Manifold
from .quality import Quality
from .samples import Samples
from .trajectory import DMeans, WeightBias

PANELS = {"curves": Curves, "samples": Samples, "latent_field": LatentField, "sample_field": SampleField,
          "line1d": Line1D, "weight_bias": WeightBias, "d_means": DMeans, "features": Features,
          "manifold": Manifold, "gradients": Gradients, "metrics": Quality, "digit_grid": DigitGrid,
          "interpolation": Interpolation, "classes": Classes, "fid": Score}

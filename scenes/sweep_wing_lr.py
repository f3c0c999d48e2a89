"""Sweep: the wing with Wang et al. 2020's learning rates against faster ones (Wang et al. 2020 §4.2)."""
from gananim.scenes.wing import scene as wing

# Two settings at once per run: the report's (G 1e-4, D 1e-3, β1 0.5) against G 5e-4, D 0.05,
# β1 0.9, with which G never captures even the rough outline (Wang et al. 2020 §4.2).
scene = wing.derive(name="sweep_wing_lr", title="Wing: two learning-rate settings", steps=6000)
grid = {"variants": [
    {"opt_g.lr": 1e-4, "opt_g.beta1": 0.5, "opt_d.lr": 1e-3, "opt_d.beta1": 0.5},
    {"opt_g.lr": 5e-4, "opt_g.beta1": 0.9, "opt_d.lr": 0.05, "opt_d.beta1": 0.9},
]}

"""Wing with high learning rates: G 5e-4, D 0.05, Adam β1 = 0.9 (Wang et al. 2020 §4.2's contrast)."""
from gananim.scenes.wing import scene as wing

# Wang et al. 2020 §4.2: with these rates G never captures even the rough outline; its samples shrink
# to a small patch that oscillates around the data's centre, still at it after 600 batches.
scene = wing.derive(
    {"opt_g.lr": 5e-4, "opt_g.beta1": 0.9, "opt_d.lr": 0.05, "opt_d.beta1": 0.9},
    name="wing_highlr",
    title="Wing: high learning rates (G 5e-4, D 0.05, β1 0.9)",
    about="the wing scene with G lr 5e-4, D lr 0.05, Adam β1 = 0.9 (Wang et al. 2020 §4.2)",
    steps=3000,
)

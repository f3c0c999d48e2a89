"""Swiss roll: WGAN-GP (the WGAN-GP paper's toy recipe)."""
from gananim.scenes.ring8 import scene as ring8

# The ring8 recipe (gan_toy.py) on the Swiss roll: scikit-learn's make_swiss_roll(noise=0.25),
# its (x, z) coordinates divided by 7.5 (generated here without scikit-learn).
scene = ring8.derive(
    {"render.xlim": (-2.0, 2.5), "render.ylim": (-2.0, 2.5)},
    name="swissroll",
    title="Swiss roll: WGAN-GP",
    about="the Swiss roll, WGAN-GP (Gulrajani et al. 2017's toy recipe)",
    target="swissroll",
)

"""Grid25: a 5×5 grid of Gaussians, WGAN-GP (the WGAN-GP paper's toy recipe)."""
from gananim.scenes.ring8 import scene as ring8

# The ring8 recipe (gan_toy.py) on the 25-Gaussian grid, which needs longer to separate the modes.
scene = ring8.derive(
    name="grid25",
    title="25 Gaussians: WGAN-GP",
    about="a 5×5 grid of Gaussians, WGAN-GP (Gulrajani et al. 2017's toy recipe)",
    target="grid25",
    steps=5000,
)

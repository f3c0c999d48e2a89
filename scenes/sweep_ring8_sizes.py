"""Sweep: latent_dim × hidden_dim on the 8 Gaussians, scored by modes covered (Zhang's grid, toy)."""
from gananim.scenes.ring8_vanilla import scene as ring8_vanilla

# Zhang, ANN lab report 4 trains a DCGAN on MNIST for latent_dim and hidden_dim in {16, 100} and scores each
# by FID. Here the same 2×2 grid trains the vanilla 8-Gaussian GAN; the strip under the
# tiles scores each run by the modes its samples cover (VEEGAN/PacGAN protocol).
scene = ring8_vanilla.derive(name="sweep_ring8_sizes", title="8 Gaussians: latent_dim × hidden_dim", steps=3000)
grid = {"latent.dim": [16, 100], "g.widths,d.widths": [(16, 16, 16), (100, 100, 100)]}

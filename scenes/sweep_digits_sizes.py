"""Sweep: Zhang's latent_dim × hidden_dim grid on digits, each tile scored by its FID."""
from gananim.scenes.digits_dcgan import scene as digits_dcgan

# Zhang, ANN lab report 4 trains its DCGAN for latent_dim and hidden_dim in {16, 100} and finds that hidden_dim
# matters (FID 101 -> 35) while latent_dim does not (101.9 vs 101.2; 36.5 vs 33.4). Here the
# same 2×2 grid trains digits_dcgan on 16×16 digits with hidden 16 and 64 (64 stands in for 100
# so that the four runs take minutes on 2 cores); the strip under the tiles plots each run's FID
# (classifier features: comparable across these tiles, not with published FIDs).
scene = digits_dcgan.derive(name="sweep_digits_sizes", title="Digits: latent_dim × hidden_dim (Zhang, ANN lab report 4)",
                            target="digits16", steps=1500)
grid = {"latent.dim": [16, 100], "g.hidden,d.hidden": [16, 64]}

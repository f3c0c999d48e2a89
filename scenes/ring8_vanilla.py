"""Ring8 vanilla: 8 Gaussians with the original GAN loss, hopping from mode to mode."""
from gananim import adam
from gananim.scenes.ring8 import scene as ring8

# The ring8 networks trained as a vanilla GAN (non-saturating BCE, one D step per G step, Adam
# 1e-3 with β1 = 0.5): G covers one or two modes at a time and jumps between them as D learns
# to reject where it sits — the mode hopping that WGAN-GP's version (ring8) avoids.
scene = ring8.derive(
    name="ring8_vanilla",
    title="8 Gaussians: vanilla GAN (mode hopping)",
    about="8 Gaussians with the original GAN loss: the generator hops between modes",
    loss="nonsaturating",
    opt_g=adam(1e-3, betas=(0.5, 0.999)),
    opt_d=adam(1e-3, betas=(0.5, 0.999)),
    d_steps=1,
    steps=6000,
)

"""Ring8 vanilla: 8 Gaussians with the original GAN loss, which drops modes."""
from gananim import adam
from gananim.scenes.ring8 import scene as ring8

# The ring8 networks trained as a vanilla GAN (non-saturating BCE, one D step per G step, Adam
# 1e-3 with β1 = 0.5). Measured at seed 0 (6,000 steps): it sweeps round the ring early, then
# settles with 5 of the 8 modes dense (3σ protocol: "8 covered", by single stray samples) —
# mode dropping, which WGAN-GP's version (ring8) avoids. ring8_hopping shows mode hopping.
scene = ring8.derive(
    name="ring8_vanilla",
    title="8 Gaussians: vanilla GAN (mode dropping)",
    about="8 Gaussians with the original GAN loss: the generator settles on some of the modes",
    loss="nonsaturating",
    opt_g=adam(1e-3, betas=(0.5, 0.999)),
    opt_d=adam(1e-3, betas=(0.5, 0.999)),
    d_steps=1,
    steps=6000,
)

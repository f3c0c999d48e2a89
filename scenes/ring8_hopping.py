"""Ring8 hopping: Metz et al. 2016's standard GAN on 8 Gaussians, hopping from mode to mode."""
from gananim import Latent, Render, Scene, adam, mlp

# Metz et al. 2016 (Unrolled GANs), figure 1 and appendix A: z ~ N(0, I) of 256 dimensions;
# G two ReLU layers of 128 to 2-D; D one ReLU layer of 128; Adam 1e-4 with β1 = 0.5 for both;
# batch 512. Their ring has radius 2 and σ 0.02; ring8 here is the WGAN-GP toy's (radius 2 and
# σ 0.02, divided by 1.414): the same picture at 0.71 of the scale.
# Measured over seeds 0-9 (bench/mode_collapse.py, 10,000 steps): G's samples form one cluster,
# wider than the protocol's 3σ, that sits on one mode at a time (the fullest mode holds at least
# 15% of them at 30-57% of the recorded steps, never two modes at once) and moves on about
# every 110 steps: 54-113 hops, every seed visiting all 8 modes. At the end no mode is dense.
scene = Scene(
    name="ring8_hopping",
    title="8 Gaussians: a standard GAN hops from mode to mode",
    about="Metz et al. 2016's standard GAN on 8 Gaussians: one cluster hopping from mode to mode, "
          "about every 110 steps (10 seeds)",
    target="ring8",
    latent=Latent("normal", 256),
    g=mlp([128, 128], "relu"),
    d=mlp([128], "relu"),
    loss="nonsaturating",
    opt_g=adam(1e-4, betas=(0.5, 0.999)),
    opt_d=adam(1e-4, betas=(0.5, 0.999)),
    batch=512,
    steps=10000,
    render=Render(layout="wide", size=(1280, 720), frames=150, xlim=(-2, 2), ylim=(-2, 2), zlim=(-3, 3)),
)

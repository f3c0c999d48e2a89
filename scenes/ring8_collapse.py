"""Ring8 collapse: Metz et al. 2016's standard GAN on 8 Gaussians, which sits on one mode at a time."""
from gananim import Latent, Render, Scene, adam, mlp

# Metz et al. 2016 (Unrolled GANs), figure 1 and appendix A: z ~ N(0, I) of 256 dimensions;
# G two ReLU layers of 128 to 2-D; D one ReLU layer of 128; Adam 1e-4 with β1 = 0.5 for both;
# batch 512. Their ring has radius 2 and σ 0.02; ring8 here is the WGAN-GP toy's (radius 2 and
# σ 0.02, divided by 1.414): the same picture at 0.71 of the scale.
scene = Scene(
    name="ring8_collapse",
    title="8 Gaussians: a standard GAN collapses onto a few modes",
    about="Metz et al. 2016's standard GAN on 8 Gaussians: it sits on 1-3 modes and moves between them",
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

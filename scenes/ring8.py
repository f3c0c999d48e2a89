"""Ring8: 8 Gaussians on a circle, WGAN-GP (the WGAN-GP paper's toy recipe)."""
from gananim import Latent, Render, Scene, Tricks, adam, mlp

# Gulrajani et al. 2017, gan_toy.py: G and D are three ReLU layers; z ~ N(0, 1)²; WGAN-GP with
# λ = 0.1 ("smaller λ helps on toy tasks"), 5 critic steps per G step, Adam lr 1e-4 with
# β = (0.5, 0.9), batch 256. The published width is 512; 128 here keeps a CPU run to about two
# minutes and still covers every mode.
scene = Scene(
    name="ring8",
    title="8 Gaussians: WGAN-GP",
    about="8 Gaussians on a circle, WGAN-GP (Gulrajani et al. 2017's toy recipe)",
    target="ring8",
    latent=Latent("normal", 2),
    g=mlp([128, 128, 128], "relu"),
    d=mlp([128, 128, 128], "relu"),
    loss="wgan-gp",
    opt_g=adam(1e-4, betas=(0.5, 0.9)),
    opt_d=adam(1e-4, betas=(0.5, 0.9)),
    tricks=Tricks(gp_lambda=0.1),
    d_steps=5,
    batch=256,
    steps=3000,
    # The wide layout adds mode coverage and high-quality share (the VEEGAN/PacGAN protocol) and
    # G's manifold to the classic panels.
    render=Render(layout="wide", size=(1280, 720), frames=150, xlim=(-2, 2), ylim=(-2, 2), zlim=(-3, 3)),
)

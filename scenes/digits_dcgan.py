"""Digits: a small DCGAN learns to draw digits (Yu's recipe, scaled down to 2 CPU cores)."""
from gananim import Latent, Record, Render, Scene, adam, dcgan

# Radford et al. 2016 as Yu, GAN tutorial trains it: G of transposed convolutions with BatchNorm and
# ReLU and a tanh image, D of strided convolutions with LeakyReLU 0.2, z ~ N(0, 1)^100, BCE,
# Adam lr 2e-4 with β1 = 0.5, batch 32 (Yu, GAN tutorial). Scaled down: 28×28 digits drawn
# from matplotlib's fonts (gananim/data/digits.py, a stand-in for MNIST), two resolution stages and
# 32 channels next to the image (Zhang's hidden_dim), so that a run takes a few minutes.
scene = Scene(
    name="digits_dcgan",
    title="Digits: DCGAN",
    about="a small DCGAN on 28×28 digits drawn from matplotlib's fonts (Yu's recipe)",
    target="digits",
    latent=Latent("normal", 100),
    g=dcgan(32),
    d=dcgan(32),
    loss="nonsaturating",
    opt_g=adam(2e-4, betas=(0.5, 0.999)),
    opt_d=adam(2e-4, betas=(0.5, 0.999)),
    batch=32,
    steps=4000,
    record=Record(bank=500, latents=1000),
    render=Render(layout="digits", size=(1280, 720), frames=150, fps=15),
)

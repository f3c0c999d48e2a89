"""The word GAN: points spread uniformly inside the glyphs, learned by a GAN."""
from gananim import Latent, Render, Scene, adam, mlp

scene = Scene(
    name="text_gan",
    title="GAN learning the word “GAN”",
    about="points inside the glyphs of “GAN” (DejaVu Sans Bold)",
    target="text:GAN",
    latent=Latent("uniform", 2),
    g=mlp([128, 128, 128], "leaky_relu", output="tanh"),
    d=mlp([128, 128, 128], "leaky_relu"),
    loss="nonsaturating",
    opt_g=adam(1e-3),
    opt_d=adam(1e-3),
    batch=256,
    steps=8000,
    render=Render(layout="wide", size=(1280, 720), frames=160, fps=20),
)

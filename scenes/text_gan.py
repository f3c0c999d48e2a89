"""The word GAN: points spread uniformly inside the glyphs, learned by a GAN."""
from gananim import Latent, Record, Render, Scene, adam, mlp

# Which objective learns thin strokes: on this word, with these networks, the non-saturating
# loss at learning rate 2e-4 put its samples on the letters' strokes by 15,000 steps. WGAN-GP
# (λ 0.1, 5 critic steps, Adam 1e-4 β (0.5, 0.9)) spread them evenly over the word's bounding
# box: the gradient penalty keeps its critic too smooth to outline strokes 0.15 em wide. Hinge
# and LSGAN at 1e-3 swung between letters. Learning rates of 1e-3 moved G too far per step to
# settle into a stroke. The bank of 3,000 real samples draws the word legibly.
scene = Scene(
    name="text_gan",
    title="GAN learning the word “GAN”",
    about="points inside the glyphs of “GAN” (DejaVu Sans Bold), non-saturating loss",
    target="text:GAN",
    latent=Latent("uniform", 2),
    g=mlp([128, 128, 128], "leaky_relu", output="tanh"),
    d=mlp([128, 128, 128], "leaky_relu"),
    loss="nonsaturating",
    opt_g=adam(2e-4),
    opt_d=adam(2e-4),
    batch=256,
    steps=20000,
    record=Record(bank=3000),
    render=Render(layout="wide", size=(1280, 720), frames=200, fps=20),
)

"""Sine: a sine band with two crests (Wang et al. 2020 §3.1), learned from U[-1, 1]²."""
from gananim import Latent, Render, Scene, adam, mlp

# Wang et al. 2020 §3: G and D are three fully connected layers with LeakyReLU; lr G 1e-4, D 1e-3;
# Adam with β1 = 0.5; batch 100. Widths 64 and Glorot init (the report used Keras); G ends
# in tanh so its samples stay in [-1, 1]².
# The target: the report's f = (x, sin(x) + y/4) is garbled (sin x has no crest on [-1, 1]);
# the band it shows has two crests, read here as (x, 0.75·sin(2πx) + y/4) (gananim/data/targets.py).
# The report sees three phases: the rough range first, then the details by about step
# 15,000, then a slow decline ("病态化") towards step 60,000. 60,000 steps shows all three.
scene = Scene(
    name="sine",
    title="Sine: vanilla GAN on a two-crest sine band",
    about="a sine band with two crests (Wang et al. 2020 §3.1)",
    target="sine",
    latent=Latent("uniform", 2),
    g=mlp([64, 64], "leaky_relu", output="tanh", init="glorot"),
    d=mlp([64, 64], "leaky_relu", init="glorot"),
    loss="nonsaturating",
    opt_g=adam(1e-4, betas=(0.5, 0.999)),
    opt_d=adam(1e-3, betas=(0.5, 0.999)),
    batch=100,
    steps=60000,
    seed=0,
    render=Render(frames=300, fps=20, xlim=(-1.1, 1.1), ylim=(-1.1, 1.1)),
)

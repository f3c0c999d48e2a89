"""Wing: two spiral arms joined at the centre (Wang et al. 2020 §3.3), learned from U[-1, 1]²."""
from gananim import Latent, Record, Render, Scene, adam, mlp

# Wang et al. 2020 §3: G and D are three fully connected layers with LeakyReLU; lr G 1e-4, D 1e-3;
# Adam with β1 = 0.5; batch 100. Widths 64 and Glorot init (the report used Keras).
# G ends in tanh: its samples stay in [-1, 1]², the square the report maps onto.
scene = Scene(
    name="wing",
    title="Wing: vanilla GAN learning two joined spirals",
    about="two spiral arms joined at the centre (Wang et al. 2020 §3.3)",
    target="wing",
    latent=Latent("uniform", 2),
    g=mlp([64, 64], "leaky_relu", output="tanh", init="glorot"),
    d=mlp([64, 64], "leaky_relu", init="glorot"),
    loss="nonsaturating",
    opt_g=adam(1e-4, betas=(0.5, 0.999)),
    opt_d=adam(1e-3, betas=(0.5, 0.999)),
    batch=100,
    steps=20000,
    seed=0,
    render=Render(frames=200, fps=20, xlim=(-0.75, 0.75), ylim=(-0.75, 0.75)),
)

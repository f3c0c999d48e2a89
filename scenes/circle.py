"""Circle: the unit disc, denser at its centre (Wang et al. 2020 §3.2), learned from U[-1, 1]²."""
from gananim import Latent, Render, Scene, adam, mlp

# Wang et al. 2020 §3: the same networks and optimizers as the sine and wing scenes.
# The target: the report's f = (x/2, y·π) is garbled; read as the polar map with radius
# (x + 1)/2 and angle πy, a disc of radius 1 whose density falls from the centre outwards,
# as the report describes (gananim/data/targets.py).
scene = Scene(
    name="circle",
    title="Circle: vanilla GAN on a disc denser at its centre",
    about="the unit disc, denser at its centre (Wang et al. 2020 §3.2)",
    target="circle",
    latent=Latent("uniform", 2),
    g=mlp([64, 64], "leaky_relu", output="tanh", init="glorot"),
    d=mlp([64, 64], "leaky_relu", init="glorot"),
    loss="nonsaturating",
    opt_g=adam(1e-4, betas=(0.5, 0.999)),
    opt_d=adam(1e-3, betas=(0.5, 0.999)),
    batch=100,
    steps=20000,
    seed=0,
    # Where D pushes G's samples, and how G warps its latent square into the disc (Wang et al. 2020 saw
    # a butterfly shape and a D that flips its verdict from one batch to the next).
    render=Render(frames=200, fps=20, xlim=(-1.15, 1.15), ylim=(-1.15, 1.15),
                  panels=("curves", "samples", "gradients", "manifold")),
)

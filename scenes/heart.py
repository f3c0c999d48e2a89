"""Heart: a picture as the distribution to learn, its density following the shading."""
from gananim import Latent, Render, Scene, adam, mlp

# heart.png is drawn by docs/pictures.py: black at the top, 45% grey at the tip, so the lobes
# hold about twice the density of the tip. A path relative to a scene file is read from the
# scene file's folder. The wing scene's G and D (Wang et al. 2020 §3), wider, with Adam at
# 1e-3 for both: a filled shape needs more of the plane than two thin arms.
scene = Scene(
    name="heart",
    title="A heart: a picture's darkness as the density to learn",
    about="a shaded heart drawn by the project (scenes/heart.png): samples follow its darkness",
    target="heart.png",
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

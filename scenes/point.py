"""PointGAN: the simplest GAN, learning to output the single value 1 (PointGAN article §1)."""
from gananim import Latent, Render, Scene, adam, mlp

# PointGAN article §1: real data is the value 1; G is y = w·x + b (one neuron, no hidden layer) fed
# x ~ U[-1, 1]; D is Linear(1, 2) – tanh – Linear(2, 1) – sigmoid (the sigmoid lives in the
# BCE-with-logits loss); G wants D to output 1 (the non-saturating BCE). The article does not
# give its learning rates or batch size; these let the baseline's behaviour show in a few
# thousand steps. Success is w → 0 and b → 1; the baseline sometimes fails (PointGAN article §2).
scene = Scene(
    name="point",
    title="PointGAN: generating the single value 1",
    about="G = w·z + b learns the point 1 (PointGAN article §1)",
    target="point",
    latent=Latent("uniform", 1),
    g=mlp([], output="linear"),
    d=mlp([2], "tanh"),
    loss="nonsaturating",
    opt_g=adam(1e-2, betas=(0.9, 0.999)),
    opt_d=adam(1e-2, betas=(0.9, 0.999)),
    batch=64,
    steps=3000,
    seed=0,
    render=Render(layout="1d", frames=150, fps=20, xlim=(-1.5, 2.5)),
)

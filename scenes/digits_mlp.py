"""Digits with MLPs instead of convolutions: seed 001's ablation."""
from gananim import mlp
from gananim.scenes.digits_dcgan import scene as digits_dcgan

# Seed 001 swaps the DCGAN for fully connected layers of 4h, 2h, h units (G: ReLU, tanh image;
# D: LeakyReLU 0.2 through h, 2h, 4h units). Its BatchNorm and dropout are left out here; the
# rest of the recipe is digits_dcgan's, with h = 64.
scene = digits_dcgan.derive(
    name="digits_mlp", title="Digits: MLP G and D (seed 001's ablation)",
    about="the digits GAN with fully connected networks instead of convolutions (seed 001's ablation)",
    g=mlp([256, 128, 64], "relu", output="tanh"),
    d=mlp([64, 128, 256], "leaky_relu"),
)

"""Digits with MLPs instead of convolutions: Zhang's ablation."""
from gananim import mlp
from gananim.scenes.digits_dcgan import scene as digits_dcgan

# Zhang, ANN lab report 4 swaps the DCGAN for fully connected layers of 4h, 2h, h units in G (BatchNorm, ReLU,
# tanh image) and h, 2h, 4h in D (LeakyReLU 0.2, dropout), h = 64 here. G's BatchNorm becomes
# virtual batch normalisation (a fixed reference batch of 64 codes) with LeakyReLU: without it
# D wins within 100 steps and G saturates into binary noise (measured: FID ≈ 7,100, one class).
# Even so the MLPs learn slowly and noisily — the ablation's point: convolutions matter.
scene = digits_dcgan.derive(
    name="digits_mlp", title="Digits: MLP G and D (Zhang's ablation)",
    about="the digits GAN with fully connected networks instead of convolutions (Zhang's ablation)",
    g=mlp([256, 128, 64], "leaky_relu", output="tanh", vbn=64),
    d=mlp([64, 128, 256], "leaky_relu"),
)

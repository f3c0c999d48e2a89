"""Quadratic: points on y = 10 + x² for x ~ U[-50, 50] (the quadratic-GAN tutorial)."""
from gananim import Latent, Render, Scene, mlp, rmsprop

# The quadratic-GAN tutorial (a TensorFlow tutorial): z ~ U[-1, 1]²; G is 16–16 LeakyReLU then a linear
# output; D is 16–16 LeakyReLU, a 2-unit linear layer (to plot D's feature space), then the
# logit; sigmoid cross-entropy; RMSprop with lr 1e-3 for both; batch 256. TensorFlow's
# defaults are kept: Glorot-uniform init, LeakyReLU slope 0.2, RMSprop decay 0.9, eps 1e-10.
# The data are used raw, unscaled, as in the tutorial (which ran 100,001 iterations); at this
# scale G needs about 35,000 steps to stretch its output over the parabola.
scene = Scene(
    name="quadratic",
    title="Quadratic: y = 10 + x²",
    about="points on y = 10 + x², x ~ U[-50, 50] (the quadratic-GAN tutorial)",
    target="quadratic",
    latent=Latent("uniform", 2),
    g=mlp([16, 16], "leaky_relu", init="glorot"),
    d=mlp([16, 16, 2], ("leaky_relu", "leaky_relu", "linear"), init="glorot"),
    loss="nonsaturating",
    opt_g=rmsprop(1e-3, alpha=0.9, eps=1e-10),
    opt_d=rmsprop(1e-3, alpha=0.9, eps=1e-10),
    batch=256,
    steps=40000,
    seed=0,
    # The quadratic-GAN tutorial's pictures: the samples, D's 2-unit feature space before and after G's update,
    # and the mean D(x) and D(G(z)) curves, beside D's field and the sample-quality metrics.
    render=Render(frames=200, fps=20, size=(1080, 720),
                  panels=("curves", "samples", "sample_field", "features", "d_means", "metrics")),
)

"""Ring8 minibatch: the mode-hopping GAN of ring8_hopping with minibatch discrimination in D."""
from gananim import mlp
from gananim.scenes.ring8_hopping import scene as hopping

# Salimans et al. 2016 (Improved GAN), §3.2: D compares each sample with the rest of its
# batch through 5 kernels of 3 dimensions before its output, so a batch of look-alikes stands out.
# Comparing every pair costs batch² work: at batch 512 a step took 93 ms on 2 cores, so this
# run uses batch 256 (about 25 ms) and 2,000 steps. It stops the hopping, but D wins outright
# and G's samples spread along the whole ring rather than onto the modes: 4.2 near modes over
# seeds 0-9 at step 2,000, 6.5 at 7,000 (seeds 3-6); with G at 1e-3 an even ring by step
# 1,000 (which the near count mistakes for 8 modes); with D at 1e-3 it collapses instead.
scene = hopping.derive(
    name="ring8_minibatch",
    title="8 Gaussians: minibatch discrimination",
    about="ring8_hopping with minibatch discrimination in D (Salimans et al. 2016): stops the hopping, "
          "but spreads G along the ring rather than onto the modes",
    d=mlp([128], "relu", minibatch=5, minibatch_dims=3),
    batch=256,
    steps=2000,
)

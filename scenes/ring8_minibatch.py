"""Ring8 minibatch: the mode-hopping GAN of ring8_hopping with minibatch discrimination in D."""
from gananim import mlp
from gananim.scenes.ring8_hopping import scene as hopping

# Salimans et al. 2016 (Improved GAN), §3.2: D compares each sample with the rest of its
# batch through 5 kernels of 3 dimensions before its output, so a batch of look-alikes stands out.
# Comparing every pair costs batch² work: at batch 512 a step took 93 ms on 2 cores, so this
# run uses batch 256 (about 25 ms) and 7,000 steps (measured: the near modes grow slowly,
# 5 at step 3,000 and 6-7 by 6,000; with D at 1e-3 it collapses instead).
scene = hopping.derive(
    name="ring8_minibatch",
    title="8 Gaussians: minibatch discrimination",
    about="ring8_hopping with minibatch discrimination in D (Salimans et al. 2016)",
    d=mlp([128], "relu", minibatch=5, minibatch_dims=3),
    batch=256,
    steps=7000,
)

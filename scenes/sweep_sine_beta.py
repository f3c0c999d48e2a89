"""Sweep: the sine with Adam β1 = 0.5 against 0.7 for both networks (Wang et al. 2020 §4.1)."""
from gananim.scenes.sine import scene as sine

# `gananim sweep sweep_sine_beta -o outputs/sine_beta.mp4` trains both runs (in parallel) and
# shows them side by side: with β1 = 0.7 the rough range is found, then the samples collapse
# onto a diagonal between the crests (Wang et al. 2020 §4.1).
scene = sine.derive(name="sweep_sine_beta", title="Sine: Adam β1 = 0.5 against 0.7", steps=30000)
grid = {"opt_g.beta1,opt_d.beta1": [0.5, 0.7]}

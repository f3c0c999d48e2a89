"""Sine with Adam β1 = 0.7 for both networks (Wang et al. 2020 §4.1's contrast)."""
from gananim.scenes.sine import scene as sine

# Wang et al. 2020 §4.1: with β1 raised from 0.5 to 0.7 the GAN still finds the rough range, then
# collapses onto a diagonal between the crests and stops improving.
scene = sine.derive(
    {"opt_g.beta1": 0.7, "opt_d.beta1": 0.7},
    name="sine_beta07",
    title="Sine: Adam β1 = 0.7",
    about="the sine scene with Adam β1 = 0.7 (Wang et al. 2020 §4.1)",
    steps=30000,
)

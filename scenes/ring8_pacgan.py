"""Ring8 PacGAN: the mode-hopping GAN of ring8_hopping with D judging 4 samples at once."""
from gananim import Tricks
from gananim.scenes.ring8_hopping import scene as hopping

# Lin et al. 2018 (PacGAN): D reads m samples concatenated, all real or all generated, so a
# generator that repeats itself is easy to spot. m = 4 (their PacGAN4); D's input grows to 8.
scene = hopping.derive(
    name="ring8_pacgan",
    title="8 Gaussians: PacGAN (D judges 4 samples at once)",
    about="ring8_hopping with a packed discriminator, m = 4 (Lin et al. 2018)",
    tricks=Tricks(pack=4),
    steps=6000,
)

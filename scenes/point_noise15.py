"""PointGAN over 20 seeds with Gaussian noise 1.5 on G's parameters while D trains (PointGAN article §3.2)."""
from gananim.scenes.point import scene as point

# The baseline point scene with the changes below; 20 seeds trained together, drawn as the mean ± std
# of G's w and b (the article's figures) and a bundle of every run's curves.
scene = point.derive(
    {"tricks.param_noise": 1.5, "tricks.param_noise_batch": 16},
    name="point_noise15",
    title="PointGAN, Gaussian noise 1.5 on G's parameters while D trains",
    about="Gaussian noise 1.5 on G's parameters while D trains (PointGAN article §3.2)",
    seeds=tuple(range(20)),
)

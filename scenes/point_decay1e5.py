"""PointGAN over 20 seeds with weight decay 1e-5 on D (PointGAN article §2.3, experiment 3)."""
from gananim.scenes.point import scene as point

# The baseline point scene with the changes below; 20 seeds trained together, drawn as the mean ± std
# of G's w and b (the article's figures) and a bundle of every run's curves.
scene = point.derive(
    {"opt_d.weight_decay": 1e-05},
    name="point_decay1e5",
    title="PointGAN, weight decay 1e-5 on D",
    about="weight decay 1e-5 on D (PointGAN article §2.3, experiment 3)",
    seeds=tuple(range(20)),
)

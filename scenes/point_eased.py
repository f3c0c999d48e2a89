"""PointGAN over 20 seeds with two-sided label easing, targets 0.1 / 0.9 (PointGAN article §2.3, experiment 1)."""
from gananim.scenes.point import scene as point

# The baseline point scene with the changes below; 20 seeds trained together, drawn as the mean ± std
# of G's w and b (the article's figures) and a bundle of every run's curves.
scene = point.derive(
    {"tricks.real_label": 0.9, "tricks.fake_label": 0.1},
    name="point_eased",
    title="PointGAN, two-sided label easing, targets 0.1 / 0.9",
    about="two-sided label easing, targets 0.1 / 0.9 (PointGAN article §2.3, experiment 1)",
    seeds=tuple(range(20)),
)

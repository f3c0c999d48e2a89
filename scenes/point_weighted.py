"""PointGAN over 20 seeds with a smaller weight (0.1) on D's loss for generated examples (PointGAN article §2.3, experiment 2)."""
from gananim.scenes.point import scene as point

# The baseline point scene with the changes below; 20 seeds trained together, drawn as the mean ± std
# of G's w and b (the article's figures) and a bundle of every run's curves.
scene = point.derive(
    {"tricks.fake_weight": 0.1},
    name="point_weighted",
    title="PointGAN, a smaller weight (0.1) on D's loss for generated examples",
    about="a smaller weight (0.1) on D's loss for generated examples (PointGAN article §2.3, experiment 2)",
    seeds=tuple(range(20)),
)

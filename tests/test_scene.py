"""Scene files, typed --set overrides and validation."""
from __future__ import annotations

import pytest
from conftest import write_scene

from gananim import GananimError, Scene, mlp
from gananim.config import scene_files, settings


def test_set_parses_each_type():
    scene = settings.apply(Scene(), ["steps=2e4", "opt_d.lr=5e-4", "g.widths=32,16", "opt_g.beta1=0.7", "opt_g.beta2=0.99",
                                     "render.size=1280,720", "render.xlim=-2,2", "g.activation=tanh",
                                     "target=circle"])
    assert scene.steps == 20000 and isinstance(scene.steps, int)
    assert scene.opt_d.lr == 5e-4
    assert scene.g.widths == (32, 16)
    assert scene.opt_g.betas == (0.7, 0.99)
    assert scene.render.size == (1280, 720)
    assert scene.render.xlim == (-2.0, 2.0)
    assert scene.g.activation == ("tanh",)
    assert scene.target.source == "circle"
    assert settings.apply(scene, ["render.xlim=none"]).render.xlim is None


def test_set_leaves_the_original_untouched():
    scene = Scene()
    settings.apply(scene, ["steps=5", "g.widths=4"])
    assert scene.steps == 10000 and scene.g.widths == (64, 64)


def test_unknown_key_names_the_valid_keys():
    with pytest.raises(GananimError) as err:
        settings.apply(Scene(), ["stepz=3"])
    message = str(err.value)
    assert "unknown setting 'stepz'" in message and "steps" in message and "opt_d.lr" in message
    assert "\n" not in message


@pytest.mark.parametrize("assignment, fragment", [
    ("steps=many", "steps takes an integer"),
    ("steps=2.5", "steps takes an integer"),
    ("opt_d.lr=fast", "opt_d.lr takes a number"),
    ("render.size=720", "render.size takes 2 comma-separated values"),
    ("steps", "--set takes key=value"),
])
def test_unparsable_values(assignment, fragment):
    with pytest.raises(GananimError, match=fragment):
        settings.apply(Scene(), [assignment])


@pytest.mark.parametrize("assignment, fragment", [
    ("steps=-5", "steps must be at least 1"),
    ("batch=0", "batch must be at least 1"),
    ("opt_d.lr=0", "opt_d.lr must be positive"),
    ("opt_g.lr=-1e-3", "opt_g.lr must be positive"),
    ("loss=wasserstein-ish", "unknown loss"),
    ("g.activation=swish", "unknown activation"),
    ("latent.kind=cauchy", "latent.kind must be one of"),
    ("render.size=3,3", "size must be between"),
    ("render.xlim=1,-1", "render.xlim must be"),
    ("opt_d.lr=nan", "opt_d.lr must be a finite number"),
    ("tricks.gp_lambda=inf", "tricks.gp_lambda must be a finite number"),
    ("render.xlim=-inf,1", "render.xlim must be a finite number"),
    ("steps=10000000000", "steps must be at most 1,000,000,000"),
    ("batch=1000000", "batch must be at most 65,536"),
    ("d_steps=1000", "d_steps must be at most 100"),
    ("latent.dim=100000", "latent.dim must be at most 4,096"),
    ("g.widths=100000", "g.widths must be at most 16 layers of 1 to 8,192 units"),
    ("d.widths=" + ",".join(["4"] * 17), "d.widths must be at most 16 layers"),
    ("seeds=0-5000", "at most 4,096 train together"),
    ("render.grid=5000", "render.grid must be between 1 and 2,000"),
])
def test_out_of_range_values(assignment, fragment):
    with pytest.raises(GananimError, match=fragment):
        settings.apply(Scene(), [assignment]).validate()


def test_unknown_target_names_are_refused_by_the_data_layer():
    from gananim.data import targets
    scene = settings.apply(Scene(), ["target=banana"]).validate()  # any name is a valid setting...
    with pytest.raises(GananimError, match="unknown target 'banana'"):
        targets.resolve(scene.target)  # ...until the data layer resolves it


def test_custom_module_is_not_settable_from_text():
    import torch
    scene = Scene(g=torch.nn.Linear(2, 2))
    with pytest.raises(GananimError, match="change it in the scene file"):
        settings.apply(scene, ["g=foo"])


def test_loading_picks_scene_then_single_then_named(tmp_path):
    two = write_scene(tmp_path, "from gananim import Scene\na = Scene(name='a')\nb = Scene(name='b')\n", "two.py")
    with pytest.raises(GananimError, match="several Scenes; pick one with --scene: a, b"):
        scene_files.load(str(two))
    assert scene_files.load(str(two), "b").name == "b"
    with pytest.raises(GananimError, match="no Scene named 'c'; it has: a, b"):
        scene_files.load(str(two), "c")
    bound = write_scene(tmp_path, "from gananim import Scene\nx = Scene(name='x')\nscene = Scene(name='s')\n", "b.py")
    assert scene_files.load(str(bound)).name == "s"
    unnamed = write_scene(tmp_path, "from gananim import Scene\nonly = Scene()\n", "my_scene.py")
    assert scene_files.load(str(unnamed)).name == "my_scene"


@pytest.mark.parametrize("text, fragment", [
    ("x = (", "is not valid Python"),
    ("raise ValueError('boom')", "raised ValueError (line 1): boom"),
    ("x = 1", "defines no Scene"),
])
def test_broken_scene_files(tmp_path, text, fragment):
    with pytest.raises(GananimError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        scene_files.load(str(write_scene(tmp_path, text, "bad.py")))


def test_missing_scene_and_unknown_bundled_name(tmp_path):
    with pytest.raises(GananimError, match="does not exist"):
        scene_files.load(str(tmp_path / "nope.py"))
    with pytest.raises(GananimError, match="bundled scenes: circle, digits_dcgan, digits_mlp, grid25, "):
        scene_files.load("nope")


BUNDLED = ["circle", "digits_dcgan", "digits_mlp", "grid25", "heart", "point", "point_decay01", "point_decay1e3", "point_decay1e5", "point_eased", "point_final", "point_noise05", "point_noise15", "point_weighted", "quadratic", "ring8", "ring8_hopping", "ring8_minibatch", "ring8_pacgan", "ring8_unrolled", "ring8_vanilla", "sine", "sine_beta07", "sweep_digits_sizes", "sweep_ring8_sizes", "sweep_sine_beta", "sweep_wing_lr", "swissroll", "text_gan", "wing", "wing_highlr"]


def test_bundled_scenes_cover_the_seed_problems():
    assert list(scene_files.bundled()) == BUNDLED
    for name in scene_files.bundled():
        scene = scene_files.load(name).validate()
        assert scene.name == name and scene.title and scene.about


def test_seed_settings_of_the_bundled_scenes():
    wing = scene_files.load("wing")
    assert (wing.opt_g.lr, wing.opt_d.lr, wing.opt_g.betas[0], wing.batch) == (1e-4, 1e-3, 0.5, 100)
    assert len(wing.g.widths) == 2  # three fully connected layers
    quad = scene_files.load("quadratic")
    assert quad.opt_g.name == quad.opt_d.name == "rmsprop" and quad.batch == 256
    assert quad.d.widths == (16, 16, 2) and quad.d.hidden_activations()[-1] == "linear"
    point = scene_files.load("point")
    assert point.g.widths == () and point.d.widths == (2,) and point.d.activation == ("tanh",)


def test_mlp_spec_validates_per_layer_activations():
    with pytest.raises(GananimError, match="names 2 layers but g.widths has 3"):
        mlp([4, 4, 4], ("relu", "relu")).validate("g")

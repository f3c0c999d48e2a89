"""Named layouts: which panels go where, the figure around them, and the header."""
from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .errors import GananimError
from .fields import View
from .nets import Network
from .panels import PANELS

HEADER_IN = 0.62  # inches kept above the panels for the title and the step counter


def auto_dpi(width: int, height: int) -> float:
    """Dots per inch for a pixel size: text grows a little slower than the frame, so it stays
    legible at 480 px and does not shout at 1080 px."""
    return 100.0 * (min(width, height) / 720) ** 0.75


def panel_names(view: View, layout: str) -> list[list[str]]:
    """Rows of panel names for a layout and a trace."""
    if layout == "1d":
        if view.data_dim != 1:
            raise GananimError(f"layout '1d' needs 1-D data; this trace's data has {view.data_dim} dimensions")
        linear_g = isinstance(view.g, Network) and view.g.n_params == 2
        return [["line1d"], ["weight_bias" if linear_g else "d_means", "curves"]]
    if layout == "classic":
        if view.data_dim != 2 or view.latent_dim < 2:
            raise GananimError("layout 'classic' needs 2-D data and a latent space of at least 2 dimensions; "
                               "use --layout 1d for 1-D problems")
        return [["curves", "samples"], ["latent_field", "sample_field"]]
    raise GananimError(f"unknown layout {layout!r}; choose from classic, 1d")


def build(view: View, layout: str, size: tuple[int, int], dpi: float, title: str):
    """The figure, its panels and the header artists that change per frame."""
    width, height = size
    dpi = dpi or auto_dpi(width, height)
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    fig.set_layout_engine("constrained", h_pad=0.06, w_pad=0.06, hspace=0.04, wspace=0.04,
                          rect=(0, 0, 1, 1 - HEADER_IN / fig.get_figheight()))
    rows = panel_names(view, layout)
    grid = fig.add_gridspec(len(rows), 2)
    panels = []
    for r, row in enumerate(rows):
        for c, name in enumerate(row):
            ax = fig.add_subplot(grid[r, c] if len(row) == 2 else grid[r, :])
            panels.append(PANELS[name](ax, view))
    top = 1 - 0.14 / fig.get_figheight()
    fig.text(0.015, top, title, ha="left", va="top", fontsize="large", fontweight="bold", color="#202020")
    fig.text(0.015, top - 0.25 / fig.get_figheight(), subtitle(view), ha="left", va="top",
             fontsize="small", color="#555555")
    counter = fig.text(0.985, top, "", ha="right", va="top", fontsize="large", color="#202020",
                       fontfamily="DejaVu Sans Mono", animated=True)
    return fig, panels, counter


def subtitle(view: View) -> str:
    s = view.scene
    def opt(o) -> str:
        extra = f", β1 {o.betas[0]:g}" if o.name == "adam" else ""
        return f"{o.name} {o.lr:g}{extra}"
    return (f"loss {s.loss} · G {view.g.describe()} ({opt(s.opt_g)}) · D {view.d.describe()} ({opt(s.opt_d)}) "
            f"· batch {s.batch} · seed {s.seed}")

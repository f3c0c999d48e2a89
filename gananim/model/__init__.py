"""The GAN model: networks built from specs as flat parameter vectors, and objectives by name."""

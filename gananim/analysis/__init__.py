"""What a trace shows: network outputs per recorded step, sample-quality metrics, phase labels,
and the scores a target brings (the digit classifier and FID)."""

"""What the generator learns to imitate: built-in targets, the digits data set, latent draws, caches."""

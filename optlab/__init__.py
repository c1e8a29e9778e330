"""Optimization Lab: the optimizers behind deep learning, from derivation to live sliders."""

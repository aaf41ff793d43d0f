"""A deterministic, realistic demo world at several scales, with its ground truth.

``crestline.demo.world`` generates the world as a stream of row batches; ``crestline.demo.load``
writes them through the storage room's bulk path. See docs/demo-world.md for the causal model.
"""

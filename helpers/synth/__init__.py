"""The default dataset: a synthetic mini-GTZAN, composed as notes and rendered to audio.

:func:`make_dataset` is the one entry point the pipeline uses (:func:`helpers.data.prepare_dataset`);
the styles (:mod:`~helpers.synth.styles`), composition (:mod:`~helpers.synth.compose`) and the two
renderers (:mod:`~helpers.synth.render`, General MIDI; :mod:`~helpers.synth.additive`, the
fallback) stay inside this package.
"""

from helpers.synth.dataset import make_dataset

__all__ = ["make_dataset"]

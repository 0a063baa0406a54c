"""Notebook plumbing: what the notebooks and ``make run`` need and the pipeline never imports.

- :mod:`~helpers.notebook.session`: the one-line set-up call at the top of every notebook;
- :mod:`~helpers.notebook.runner`: every notebook in batch with papermill (``make run``, ``make sweep``);
- :mod:`~helpers.notebook.examples`: which clips a notebook shows, picked from the labels present;
- :mod:`~helpers.notebook.expect`: range checks on a run's numbers.
"""

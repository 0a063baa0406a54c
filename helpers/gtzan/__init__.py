"""Getting real GTZAN: the known archives, a resumable verified download and a safe extraction.

``python -m helpers.gtzan`` (``make gtzan``) runs :func:`helpers.gtzan.fetch.main`. Nothing in the
pipeline imports this package: a GTZAN folder is read like any other folder of labelled audio.
"""

"""Corpus-level jobs: learn site boilerplate into rule files, find near-duplicate articles, run on Dask."""

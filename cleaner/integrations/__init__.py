"""Steps for the pipelines corpus builders already use: Hugging Face `datasets` (`hf`) and datatrove (`datatrove`).

Nothing is imported here: `import cleaner` must not pull in either library, and each module imports its library
only when used (`hf` needs none at all: it works on the dict of columns that `Dataset.map` passes).
"""

"""The service: the engine put together with the store, for the surfaces (cli, API, monitoring, Spark).

Opening the matcher of a database for a day (`matchers`), building one from stored analyses
(`assemble`, `analyses`), screening files and batches (`batch`, `batch_jobs`) and the text
screeners kept per process (`texts`) live here, so that `match`, `index` and `names` need no database.
"""

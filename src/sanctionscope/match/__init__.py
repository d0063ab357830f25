"""The matching engine: queries, name alignment, features, the matcher. It reads only `names`, `index`
and `model`, so a worker, Spark or a notebook can use it without a database (`service` opens one)."""

#: the version of how two names and their evidence are scored. Bump it when match/ changes a
#: score (a rule, a weight, a knob of `features`): subjects were joined by those scores, so a
#: database resolves from scratch on the next run (`resolve.build`).
SCORING_VERSION = 3

#: a result is a match at or above this score (chosen on benchmarks/matching.py)
DEFAULT_THRESHOLD = 0.8

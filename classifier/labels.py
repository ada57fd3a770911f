"""Label codes from shared/design/taxonomy.md; the database and the API use them too."""

TOPICS = ("demeanour", "procedure", "integrity", "responsiveness", "public_order", "traffic", "facilities", "other")
SENTIMENTS = ("negative", "neutral", "positive")

# `other` is the fallback topic: never combined with another one.
OTHER = "other"
MAX_TOPICS = 3

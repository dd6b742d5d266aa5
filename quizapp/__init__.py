"""quizapp: learn how a medicine works, and check that you know it."""

__version__ = "0.1.0"

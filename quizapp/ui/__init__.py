"""The Textual user interface on top of `quizapp.core`."""

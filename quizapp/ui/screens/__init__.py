"""Full screens (Home, quiz, results, flashcards, history, statistics)."""

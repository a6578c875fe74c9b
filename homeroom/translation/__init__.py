"""Translation: providers, translation memory, phrasebook, protection and language detection."""

"""The engagement-preferences survey: built in, ready to send at the start of the year, its
answers read by key (`services.barriers_for`, `services.best_times_for`, …)."""

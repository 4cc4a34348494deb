"""`run`: the scheduler, the single-instance lock and signals."""

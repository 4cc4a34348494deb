"""One-shot commands over the same parts as the cycle (report; check, init and demo still live in bridge/)."""

"""The walk of one cycle: snapshot → intake → review watch → publish → archive (``pipeline.run_cycle``)."""

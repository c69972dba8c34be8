"""Medical device regulatory assistant (sample application)."""

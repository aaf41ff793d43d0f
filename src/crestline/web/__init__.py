"""web room."""

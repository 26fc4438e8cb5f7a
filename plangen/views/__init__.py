"""What each page shows, derived once from the analysis; frozen, no escaping."""

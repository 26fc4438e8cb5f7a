"""One module per verb; each orchestrates the stages and prints."""

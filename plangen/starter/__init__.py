"""Files `plangen init` and `plangen new` start a plan repository with."""

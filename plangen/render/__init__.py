"""Views -> Markdown pages in memory, through Jinja templates and escaping filters."""

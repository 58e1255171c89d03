"""Account exports: every chat I am in, as JSON and as offline HTML pages, in one zip."""

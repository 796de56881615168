"""The front doors: the `fairsource` command line (`cli`), the web app (`web`) and the staff accounts both use
(`accounts`). They check what a person asked, call the use cases of `flows.usecases`, and show the result."""

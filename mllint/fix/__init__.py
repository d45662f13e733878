"""Changing the checked repository: code fixes, ignore comments, scaffolding from the template."""

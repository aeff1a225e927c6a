"""Sources turn the world (a live account, templates, a saved snapshot) into an Inventory."""

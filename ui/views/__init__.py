"""The pages of the main window, one module per section, imported on first visit."""

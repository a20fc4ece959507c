"""The Qt window of coopfood: start-up, main window, views, table models.

Nothing here holds a business rule: widgets collect input, call a service of
`coopfood.services` and show what it returns.
"""

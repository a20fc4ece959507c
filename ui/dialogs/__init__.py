"""The window's dialogs: one per kind of record, each with a small `ask()`.

A dialog collects what the user types, hands it to a service through the
background queue (`ui.worker`) and shows a `ValidationError` next to the
field it names. Questions and file choices go through the small functions of
`ui.dialogs.messages`, which tests replace.
"""

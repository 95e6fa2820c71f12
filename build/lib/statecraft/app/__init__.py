"""The browser app (``statecraft app``)."""

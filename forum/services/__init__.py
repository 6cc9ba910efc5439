"""The service layer: every domain rule, once. Web and API views call these functions."""

"""The desk's forms, one module per screen."""

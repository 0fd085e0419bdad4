"""The improvement plan board: blueprints (one package per concern) and plain service functions."""

"""The application the image serves."""

"""Prove a fix: find the project's own test command and run it before and after the fix."""

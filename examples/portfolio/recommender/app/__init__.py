"""Recommender: "customers who bought this also bought" for the storefront."""

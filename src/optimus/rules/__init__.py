"""The rules, one module per rule, by domain; optimus.registry finds and registers them."""

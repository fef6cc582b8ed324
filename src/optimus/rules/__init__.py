"""The rules, one module per rule by domain. ``optimus.registry.RULE_MODULES`` lists them."""

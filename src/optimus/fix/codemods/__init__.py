"""One module per fixed rule (or family): each registers its codemods with optimus.fix.base.fixer."""

"""Everything that knows about reportlab: fonts, styles, flowables, page templates, figures."""

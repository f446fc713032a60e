from . import aging_line, aging_wizard

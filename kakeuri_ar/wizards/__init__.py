from . import aging_line, aging_wizard, credit_override_wizard

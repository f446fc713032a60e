from . import aging_line, aging_wizard, closing_run_wizard, credit_override_wizard

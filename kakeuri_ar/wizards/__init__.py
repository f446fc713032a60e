from . import closing_run_wizard, credit_override_wizard

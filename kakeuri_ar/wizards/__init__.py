from . import closing_run_wizard

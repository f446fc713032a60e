from . import credit_override_wizard
from . import closing_run_wizard

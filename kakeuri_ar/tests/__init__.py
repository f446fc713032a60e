from . import test_aging, test_aging_wizard, test_credit_check, test_credit_rules, test_install

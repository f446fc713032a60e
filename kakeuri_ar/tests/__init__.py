from . import test_credit_check, test_credit_rules, test_install

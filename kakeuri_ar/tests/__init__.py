from . import test_credit_check, test_install

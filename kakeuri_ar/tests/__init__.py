from . import test_credit_check, test_dunning, test_install

from . import test_aging, test_aging_wizard, test_install

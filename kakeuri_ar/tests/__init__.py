from . import test_aging, test_install

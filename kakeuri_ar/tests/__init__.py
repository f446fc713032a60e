from . import test_dunning, test_install

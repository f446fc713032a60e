from . import (
    test_aging,
    test_aging_wizard,
    test_billing_concurrency,
    test_billing_statement,
    test_contracts,
    test_contracts_concurrency,
    test_contracts_multicompany,
    test_credit_check,
    test_credit_rules,
    test_dunning,
    test_i18n,
    test_install,
)

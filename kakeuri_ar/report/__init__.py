from . import (
    account_statement,
    account_statement_report,
    account_statement_xlsx,
    aging_report,
    aging_xlsx,
    billing_statement_ledger,
    cash_matching,
    credit_exposure,
    direct_debit_collection,
    dunning_candidates,
    dunning_collection,
    receivable_ledger,
)

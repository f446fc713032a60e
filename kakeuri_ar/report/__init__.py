from . import (
    account_statement,
    aging_report,
    aging_xlsx,
    billing_statement_ledger,
    credit_exposure,
    dunning_candidates,
    dunning_collection,
    receivable_ledger,
)

from . import aging_report, aging_xlsx, billing_statement_ledger, dunning_collection, receivable_ledger
